<?xml version="1.0" encoding="UTF-8"?>
<!-- How the Korean edition of "The Other Side of the Story" is spoken where a voice misreads
     text that stays as written. Each alias is what every voice is given in place of its
     grapheme; the transcript, captions and player keep the grapheme. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="x-espeak" xml:lang="ko">
  <!-- 코로나19 (markets paragraph): espeak reads the number as an amount, 코로나 십구;
       Koreans say the digits, 코로나 일구. -->
  <lexeme>
    <grapheme>코로나19</grapheme>
    <alias>코로나 일구</alias>
  </lexeme>
  <!-- 5개 트랙, in the track announcement "전체 5개 트랙 중 1번 트랙." (the guide has five
       tracks): 개 counts with native Korean numbers, 다섯 개, but espeak reads the digit in
       Sino-Korean, 오 개. The grapheme is the announcement's own words, so the entry changes
       nothing else; 5개국 (five countries) in the journey paragraph is rightly Sino-Korean,
       오 개국, and is another word in any case (국 is not a particle: see the README). When
       the number of sections changes, change this entry to the new total (6개 트랙: 여섯 개
       트랙, 7개 트랙: 일곱 개 트랙, ...). -->
  <lexeme>
    <grapheme>5개 트랙</grapheme>
    <alias>다섯 개 트랙</alias>
  </lexeme>
</lexicon>
