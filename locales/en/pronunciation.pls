<?xml version="1.0" encoding="UTF-8"?>
<!-- How the English text of "The Other Side of the Story" is spoken where espeak-ng misreads
     it. These entries give espeak-ng phonemes only, no alias: a respelling would also change
     what the online voice is given, which has not been heard to misread these words. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="x-espeak" xml:lang="en">
  <!-- Jangmadang (markets paragraph), the Korean 장마당: espeak says "JANG-muh-dang" with the
       vowel of "bang"; the Korean vowels are open, "JAHNG-mah-dahng". -->
  <lexeme>
    <grapheme>Jangmadang</grapheme>
    <phoneme alphabet="x-espeak">dZ'A:NmA:d,A:N</phoneme>
  </lexeme>
  <!-- COVID-19 (markets paragraph): espeak says "KOV-id" (the vowel of "cot") and pauses
       at the hyphen; it is "KOH-vid nineteen". -->
  <lexeme>
    <grapheme>COVID-19</grapheme>
    <phoneme alphabet="x-espeak">k'oUvId n'aInti:n</phoneme>
  </lexeme>
</lexicon>
