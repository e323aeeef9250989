<?xml version="1.0" encoding="UTF-8"?>
<!-- How the Chinese edition of "The Other Side of the Story" is spoken where a voice misreads
     text that stays as written. Each alias is what every voice is given in place of its
     grapheme; the transcript, captions and player keep the grapheme. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="x-espeak" xml:lang="zh-Hans">
  <!-- 新冠 (新冠疫情, markets paragraph): 冠 here is guān, as in 冠状病毒 (the crown-shaped
       virus); espeak says guàn, the 冠 of 冠军. 关 has the one reading, guān. -->
  <lexeme>
    <grapheme>新冠</grapheme>
    <alias>新关</alias>
  </lexeme>
</lexicon>
