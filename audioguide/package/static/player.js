/* audioguide web player: one <audio>, native buttons, an interactive transcript.
   No framework, no network: every text and time it needs is in the page. It only ever sets
   textContent and attributes, never HTML. */
(function () {
  "use strict";

  var player = document.getElementById("player");
  var audio = document.getElementById("audio");
  if (!player || !audio) return;

  var $ = function (id) { return document.getElementById(id); };
  var tracks = [].slice.call(document.querySelectorAll(".track"));
  var sections = [].slice.call(document.querySelectorAll(".cues"));
  var playButton = $("play"), playLabel = $("play-label");
  var position = $("position"), time = $("time"), speed = $("speed");
  var shortcuts = $("shortcuts"), announce = $("announce"), cuesBox = $("cues-box");
  var current = 0, currentCue = null, shown = null, seeking = false;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var KEYS = {KeyK: "play", KeyJ: "back", KeyL: "forward", KeyP: "previous", KeyN: "next",
              Comma: "slower", Period: "faster"};
  var SHOWN = {play: "K", back: "J", forward: "L", previous: "P", next: "N"};

  function store(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem("audioguide." + key);
      window.localStorage.setItem("audioguide." + key, value);
    } catch (e) { /* storage may be off: then nothing is remembered */ }
    return null;
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    var mm = h ? (m < 10 ? "0" : "") + m : String(m);
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }

  function duration() {
    return isFinite(audio.duration) && audio.duration > 0
      ? audio.duration : parseFloat(tracks[current].dataset.seconds) || 0;
  }

  function say(text) {
    // Clear first so that the same text twice is still announced.
    announce.textContent = "";
    window.setTimeout(function () { announce.textContent = text; }, 50);
  }

  function load(index, play) {
    if (index < 0 || index >= tracks.length) return;
    var track = tracks[index];
    current = index;
    if (currentCue) currentCue.removeAttribute("aria-current");
    currentCue = shown = null;
    audio.src = track.dataset.src;
    [].slice.call(audio.querySelectorAll("track")).forEach(function (old) { old.remove(); });
    var captions = document.createElement("track");
    captions.kind = "captions";
    captions.srclang = document.documentElement.lang;
    captions.label = audio.dataset.label || document.documentElement.lang;
    captions.src = track.dataset.vtt;
    captions.default = true;
    audio.appendChild(captions);
    audio.defaultPlaybackRate = audio.playbackRate = parseFloat(speed.value);
    audio.preservesPitch = true;
    tracks.forEach(function (item, i) {
      var pick = item.querySelector(".pick");
      if (i === index) pick.setAttribute("aria-current", "true");
      else pick.removeAttribute("aria-current");
      item.querySelector(".badge").hidden = i !== index;
    });
    sections.forEach(function (section, i) { section.hidden = i !== index; });
    rove(sections[index], sections[index].querySelector(".cue"));
    cuesBox.scrollTop = 0;
    var title = track.querySelector(".title");
    var nowTitle = $("now-title");
    nowTitle.textContent = title.textContent;
    if (title.lang) nowTitle.lang = title.lang; else nowTitle.removeAttribute("lang");
    document.querySelector(".now-number").textContent = String(index + 1);
    position.max = Math.ceil(parseFloat(track.dataset.seconds) || 0);
    update();
    say(track.dataset.announce);
    if (play) start();
  }

  function start() {
    var promise = audio.play();
    if (promise && promise.catch) promise.catch(function () { /* refused: stays paused */ });
  }

  function toggle() { if (audio.paused) start(); else audio.pause(); }

  function skip(seconds) {
    audio.currentTime = Math.min(Math.max(0, audio.currentTime + seconds), duration());
    update();
  }

  function setRate(value, tell) {
    speed.value = value;
    audio.defaultPlaybackRate = audio.playbackRate = parseFloat(value);
    store("rate", value);
    if (tell) say(speed.options[speed.selectedIndex].text);
  }

  function stepRate(step) {
    var i = Math.min(Math.max(0, speed.selectedIndex + step), speed.options.length - 1);
    if (i !== speed.selectedIndex) setRate(speed.options[i].value, true);
  }

  var actions = {
    play: toggle,
    back: function () { skip(-10); },
    forward: function () { skip(10); },
    previous: function () {
      // Like a CD player: back to the start first, then to the previous track.
      if (audio.currentTime > 3 || current === 0) { audio.currentTime = 0; update(); }
      else load(current - 1, !audio.paused);
    },
    next: function () { load(current + 1, !audio.paused); },
    slower: function () { stepRate(-1); },
    faster: function () { stepRate(1); }
  };

  function update() {
    var now = audio.currentTime || 0, total = duration();
    if (!seeking) position.value = String(Math.floor(now));
    position.max = String(Math.ceil(total));
    time.textContent = clock(now) + " / " + clock(total);
    position.setAttribute("aria-valuetext", player.dataset.position
      .split("{elapsed}").join(clock(now)).split("{total}").join(clock(total)));
    highlight(now);
  }

  function highlight(now) {
    var found = null;
    var cues = sections[current].querySelectorAll(".cue");
    for (var i = 0; i < cues.length; i++) {
      if (now >= parseFloat(cues[i].dataset.start) && now < parseFloat(cues[i].dataset.end)) {
        found = cues[i];
        break;
      }
    }
    if (found === currentCue) return;
    // Follow the speech only while the listener can see it: never pull the page away.
    var follow = shown && shown.isConnected && !shown.closest("[hidden]") && visible(shown);
    if (currentCue) currentCue.removeAttribute("aria-current");
    currentCue = found;
    if (!found) return;
    shown = found;
    found.setAttribute("aria-current", "true");
    if (!cuesBox.contains(document.activeElement)) rove(sections[current], found);
    if (follow && !visible(found, true)) {
      // Scroll the transcript box only, never the page: bring the sentence to a third down.
      cuesBox.scrollTo({top: Math.max(0, found.offsetTop - cuesBox.clientHeight / 3),
                        behavior: reduceMotion && reduceMotion.matches ? "auto" : "smooth"});
    }
  }

  function visible(element, whole) {
    // Is it on screen, inside the transcript box (partly, or as a whole)?
    var r = element.getBoundingClientRect(), box = cuesBox.getBoundingClientRect();
    var top = Math.max(0, box.top), bottom = Math.min(window.innerHeight, box.bottom);
    return whole ? r.top >= top && r.bottom <= bottom : r.bottom > top && r.top < bottom;
  }

  // The transcript is one stop in the Tab order (a roving tabindex): Tab enters at the sentence
  // being spoken, or the first; the arrow keys, Home and End move between sentences.
  function rove(section, target) {
    var cues = section.querySelectorAll(".cue");
    for (var i = 0; i < cues.length; i++) cues[i].tabIndex = cues[i] === target ? 0 : -1;
  }

  function onCueKey(event) {
    var cue = event.target.closest(".cue");
    if (!cue || event.altKey || event.ctrlKey || event.metaKey) return;
    var cues = [].slice.call(cue.closest(".cues").querySelectorAll(".cue"));
    var at = cues.indexOf(cue), to = {
      ArrowDown: at + 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowLeft: at - 1,
      Home: 0, End: cues.length - 1
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    var target = cues[Math.max(0, Math.min(cues.length - 1, to))];
    rove(cue.closest(".cues"), target);
    target.focus();
  }

  function playing() {
    var on = !audio.paused;
    playLabel.textContent = on ? player.dataset.pause : player.dataset.play;
    playButton.classList.toggle("is-playing", on);
  }

  function shortcutsOn() { return shortcuts.checked; }

  function showShortcuts() {
    [].slice.call(document.querySelectorAll("[data-action]")).forEach(function (button) {
      var key = SHOWN[button.dataset.action];
      if (key && shortcutsOn()) button.setAttribute("aria-keyshortcuts", key);
      else button.removeAttribute("aria-keyshortcuts");
    });
  }

  function onKey(event) {
    if (!shortcutsOn() || event.defaultPrevented || event.ctrlKey || event.altKey ||
        event.metaKey || event.isComposing) return;
    var target = event.target, tag = target.tagName;
    var typing = target.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !/^(checkbox|radio|range|button|submit|reset)$/.test(target.type));
    if (typing) return;
    var action = KEYS[event.code];
    if (event.code === "Space") {
      // Space belongs to buttons, links and checkboxes; only on the page itself does it play.
      if (target !== document.body && target !== document.documentElement && target !== player) return;
      action = "play";
    }
    if (!action) return;
    event.preventDefault();
    actions[action]();
  }

  // Wire up. Without this script the page keeps the browser's own audio controls.
  audio.dataset.label = (audio.querySelector("track") || {}).label || "";
  audio.removeAttribute("controls");
  $("controls").hidden = false;
  sections.forEach(function (section, i) { section.hidden = i !== 0; });

  [].slice.call(document.querySelectorAll("[data-action]")).forEach(function (button) {
    button.addEventListener("click", function () { actions[button.dataset.action](); });
  });
  tracks.forEach(function (track, i) {
    track.querySelector(".pick").addEventListener("click", function () {
      if (i === current) start(); else load(i, true);
    });
  });
  sections.forEach(function (section) {
    rove(section, section.querySelector(".cue"));
    section.addEventListener("keydown", onCueKey);
    section.addEventListener("click", function (event) {
      var cue = event.target.closest(".cue");
      if (!cue) return;
      audio.currentTime = parseFloat(cue.dataset.start);
      update();
      start();
    });
  });

  position.addEventListener("input", function () {
    seeking = true;
    audio.currentTime = parseFloat(position.value);
    update();
    seeking = false;
  });
  speed.addEventListener("change", function () { setRate(speed.value, false); });
  shortcuts.addEventListener("change", function () {
    store("shortcuts", shortcuts.checked ? "on" : "off");
    showShortcuts();
  });

  audio.addEventListener("play", playing);
  audio.addEventListener("pause", playing);
  audio.addEventListener("timeupdate", update);
  audio.addEventListener("durationchange", update);
  audio.addEventListener("seeked", update);
  audio.addEventListener("ended", function () {
    if (current < tracks.length - 1) load(current + 1, true);
  });
  document.addEventListener("keydown", onKey);

  var rate = store("rate");
  if (rate && [].some.call(speed.options, function (o) { return o.value === rate; })) {
    setRate(rate, false);
  }
  shortcuts.checked = store("shortcuts") !== "off";
  audio.preservesPitch = true;
  showShortcuts();
  playing();
  update();
})();
