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
  <!-- 朝鲜 (North Korea, throughout): said cháoxiǎn, 鲜 in the third tone. The Kokoro voice's
       Mandarin front end (misaki: jieba and pypinyin) says cháoxiān, the 鲜 of 新鲜 (fresh).
       潮 has the one reading cháo and 显 the one reading xiǎn; espeak-ng says both alike. -->
  <lexeme>
    <grapheme>朝鲜</grapheme>
    <alias>潮显</alias>
  </lexeme>
</lexicon>
