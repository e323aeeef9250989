<?xml version="1.0" encoding="UTF-8"?>
<!-- How the voices say the words they get wrong in this language (W3C PLS 1.0).
     To fix a word, copy the example lexeme below out of its comment. In <grapheme>, write the
     word exactly as the guide (or its translation) writes it; in <alias>, how to say it,
     spelled as a listener would read it aloud; or in <phoneme>, espeak-ng phonemes, which the
     espeak voice uses instead of the alias. Captions and transcripts keep the written word.
     Hear a sentence with `audioguide say` (its help: `audioguide say -h`), then build again. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="x-espeak" xml:lang="$tag">
  <!--
  <lexeme>
    <grapheme>$grapheme</grapheme>
    <alias>$alias</alias>
  </lexeme>
  -->
</lexicon>
