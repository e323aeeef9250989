/* audioguide web player: one <audio>, native buttons, an interactive transcript.
   No framework: every text and time it needs is in the page. It asks the network only for the
   guide's own files, when the listener saves a language for offline listening. It only ever sets
   textContent and attributes, never HTML. */
(function () {
  "use strict";

  var player = document.getElementById("player");
  var audio = document.getElementById("audio");
  if (!player || !audio) return;

  var $ = function (id) { return document.getElementById(id); };
  var all = function (selector, root) {
    return [].slice.call((root || document).querySelectorAll(selector));
  };
  var lang = document.documentElement.lang;
  var tracks = all(".track"), sections = all(".cues"), cues = all(".cue");
  var playButton = $("play"), playLabel = $("play-label"), announce = $("announce");
  var position = $("position"), time = $("time"), speed = $("speed"), step = $("step");
  var volume = $("volume"), mute = $("mute"), shortcuts = $("shortcuts");
  var modifiers = $("modifiers"), cuesBox = $("cues-box"), follow = $("follow");
  var search = $("search"), matches = $("matches"), resumeBox = $("resume-box");
  var status = $("status"), caption = $("caption"), captions = $("captions");
  var current = 0, currentCue = null, shown = null, seeking = false, sayTimer = 0;
  var searchTimer = 0, savedAt = -1;
  // A track's text kept on screen after the guide moved on by itself, because the focus is in
  // it: it goes when the focus leaves it.
  var kept = null;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  // KeyboardEvent.code (the physical key, whatever the layout) -> action, as the page lists them.
  var KEYS = {};
  all("kbd[data-code]").forEach(function (kbd) { KEYS[kbd.dataset.code] = kbd.dataset.for; });
  var HELD = {"alt-shift": "Alt+Shift+", none: ""};
  // Where the listener was, per guide and language.
  var SAVED = "position." + player.dataset.guide + "." + lang;

  function store(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem("audioguide." + key);
      if (value === null) window.localStorage.removeItem("audioguide." + key);
      else window.localStorage.setItem("audioguide." + key, value);
    } catch (e) { /* storage may be off: then nothing is remembered */ }
    return null;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    var mm = h ? (m < 10 ? "0" : "") + m : String(m);
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }

  // The track's length in whole seconds, rounded as the track list's words are, so the slider,
  // the readout and the list all say the same.
  function total() { return parseInt(tracks[current].dataset.seconds, 10) || 0; }

  function end() {
    return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : total();
  }

  function elapsed() {
    return Math.min(audio.currentTime || 0, total());
  }

  function timeNow() {
    return message("position", {elapsed: clock(elapsed()), total: clock(total())});
  }

  // One of the page's messages, filled in: {text, lang} (lang set where it is not the page's).
  function message(name, values) {
    var element = document.querySelector("#messages [data-message=" + name + "]");
    return {text: fill(element.textContent, values || {}), lang: element.lang};
  }

  function show(element, part) {
    element.textContent = part.text;
    if (part.lang) element.lang = part.lang; else element.removeAttribute("lang");
  }

  // One message, or several in a row, each in its language: a space between them, but none
  // after a full stop that needs none ("。").
  function write(element, parts) {
    element.textContent = "";
    [].concat(parts).forEach(function (part, i) {
      var span = document.createElement("span");
      show(span, part);
      if (i && !/[。！？．」』]\s*$/.test(element.textContent)) {
        element.appendChild(document.createTextNode(" "));
      }
      element.appendChild(span);
    });
  }

  // Have screen readers say something the audio does not: only while the guide is paused, as
  // they would speak over the narration otherwise, unless the listener asked for it.
  function say(parts, asked) {
    announce.textContent = "";
    window.clearTimeout(sayTimer);
    if (!asked && !audio.paused) return;
    // After a pause, so that the same message twice is still announced.
    sayTimer = window.setTimeout(function () {
      if (asked || audio.paused) write(announce, parts);
    }, 50);
  }

  // Show what changed in the status line (not a live region), and say it where say() may.
  function tell(parts, asked) {
    write(status, parts);
    say(parts, asked);
  }

  function hush() {
    window.clearTimeout(sayTimer);
    announce.textContent = status.textContent = "";
  }

  // The track's own announcement ("Track 2 of 5." and its title), as the page has it.
  function announcement(index) {
    return all(".cue[data-block=announcement]", sections[index]).map(function (cue) {
      return {text: cue.textContent, lang: cue.lang};
    });
  }

  function load(index, play) {
    if (index < 0 || index >= tracks.length) return;
    var focused = cuesBox.contains(document.activeElement) ? document.activeElement : null;
    var track = tracks[index];
    current = index;
    if (kept === sections[index]) kept = null;
    if (currentCue) currentCue.removeAttribute("aria-current");
    currentCue = shown = null;
    caption.textContent = "";
    audio.src = track.dataset.src;
    all("track", audio).forEach(function (old) { old.remove(); });
    var captions = document.createElement("track");
    captions.kind = "captions";
    captions.srclang = lang;
    captions.label = audio.dataset.label || lang;
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
    showSections();
    var first = sections[index].querySelector(".cue");
    rove(sections[index], first);
    // Focus must not fall to the page when the sentence it is on is hidden.
    if (focused && focused.closest("[hidden]")) first.focus();
    if (!search.value.trim() && !kept) cuesBox.scrollTop = 0;
    var title = track.querySelector(".title");
    var nowTitle = $("now-title");
    nowTitle.textContent = title.textContent;
    if (title.lang) nowTitle.lang = title.lang; else nowTitle.removeAttribute("lang");
    document.querySelector(".now-number").textContent = String(index + 1);
    position.max = String(total());
    update();
    playing();
    // Playing, the track says its own announcement; paused, nothing would.
    if (play) start(); else say(announcement(index));
  }

  function start() {
    var promise = audio.play();
    if (promise && promise.catch) promise.catch(function () { /* refused: stays paused */ });
  }

  function toggle() {
    if (audio.paused) start();
    else { audio.pause(); tell(message("paused")); }
  }

  function seek(seconds) {
    audio.currentTime = Math.min(Math.max(0, seconds), end());
    update();
  }

  function skip(seconds) {
    seek(audio.currentTime + seconds);
    tell(timeNow());
  }

  function setRate(value, told) {
    speed.value = value;
    audio.defaultPlaybackRate = audio.playbackRate = parseFloat(value);
    store("rate", value);
    if (told) tell({text: speed.options[speed.selectedIndex].text, lang: ""});
  }

  function stepRate(change) {
    var i = Math.min(Math.max(0, speed.selectedIndex + change), speed.options.length - 1);
    if (i !== speed.selectedIndex) setRate(speed.options[i].value, true);
  }

  function setStep(value) {
    step.value = value;
    store("step", step.value);
    var seconds = {seconds: step.value};
    all(".back-label").forEach(function (e) { show(e, keepNumber(message("back", seconds))); });
    all(".forward-label").forEach(function (e) {
      show(e, keepNumber(message("forward", seconds)));
    });
  }

  // A number stays on one line with the word after it: "10 秒", never "10 / 秒".
  function keepNumber(part) {
    return {text: part.text.replace(/(\d) /g, "$1\u00a0"), lang: part.lang};
  }

  // Paragraphs: where each starts in the track (the first at 0, the announcement with it).
  function chapters() {
    return sections[current].dataset.chapters.split(" ").map(parseFloat);
  }

  function paragraphAt(now) {
    var starts = chapters(), i = 0;
    while (i + 1 < starts.length && now >= starts[i + 1]) i++;
    return i;
  }

  function toParagraph(i) {
    var starts = chapters();
    seek(starts[i]);
    tell(message("paragraph", {number: i + 1, total: starts.length}));
  }

  function next() {
    if (current < tracks.length - 1) load(current + 1, !audio.paused);
    else tell(message("last"));
  }

  // Where am I: the track, the paragraph and the time, said even while the guide plays.
  function whereAmI() {
    var starts = chapters(), i = paragraphAt(audio.currentTime || 0);
    tell(announcement(current).concat(message("place", {
      number: i + 1, paragraphs: starts.length, elapsed: clock(elapsed()), total: clock(total())
    })), true);
  }

  var actions = {
    play: toggle,
    back: function () { skip(-parseInt(step.value, 10)); },
    forward: function () { skip(parseInt(step.value, 10)); },
    previous: function () {
      // Like a CD player: back to the start first, then to the previous track.
      if (audio.currentTime > 3 || current === 0) { seek(0); tell(timeNow()); }
      else load(current - 1, !audio.paused);
    },
    next: next,
    "previous-paragraph": function () {
      var now = audio.currentTime, i = paragraphAt(now);
      if (now - chapters()[i] < 3 && i > 0) i--; // at its start already: the one before
      toParagraph(i);
    },
    "next-paragraph": function () {
      var i = paragraphAt(audio.currentTime) + 1;
      if (i < chapters().length) toParagraph(i); else next();
    },
    mute: function () { setMuted(!audio.muted); },
    slower: function () { stepRate(-1); },
    faster: function () { stepRate(1); },
    where: whereAmI
  };

  function setMuted(on) {
    audio.muted = on;
    mute.setAttribute("aria-pressed", on ? "true" : "false");
    store("muted", on ? "on" : "off");
  }

  function setVolume(value) {
    volume.value = String(value);
    audio.volume = Math.min(1, Math.max(0, parseInt(volume.value, 10) / 100));
    try {
      volume.setAttribute("aria-valuetext",
        new Intl.NumberFormat(lang, {style: "percent"}).format(audio.volume));
    } catch (e) { /* the number alone is said */ }
    store("volume", volume.value);
  }

  function update() {
    var now = audio.currentTime || 0;
    time.textContent = clock(Math.min(now, total())) + " / " + clock(total());
    // A screen reader says every change of the slider that has the focus: while the guide
    // plays, the slider holds still under the focus (the time beside it goes on).
    if (seeking || audio.paused || document.activeElement !== position) {
      if (!seeking) position.value = String(Math.floor(now));
      position.setAttribute("aria-valuetext", timeNow().text);
    }
    highlight(now);
    remember(now);
  }

  // --- resume --------------------------------------------------------------------------------

  function remember(now) {
    var second = Math.floor(now);
    if (second === savedAt) return;
    savedAt = second;
    if (current || second) store(SAVED, current + ":" + second);
  }

  function offerResume() {
    var parts = (store(SAVED) || "").split(":");
    var index = parseInt(parts[0], 10), seconds = parseInt(parts[1], 10);
    if (!(index >= 0 && index < tracks.length && seconds >= 0) || (!index && seconds < 5)) return;
    var button = $("resume");
    show(button, message("resume", {number: index + 1, time: clock(seconds)}));
    resumeBox.hidden = false;
    button.addEventListener("click", function () {
      playButton.focus(); // the button goes away: focus goes to what it started
      hideResume();
      if (index !== current) load(index, true); else start();
      seek(seconds);
    });
  }

  function hideResume() {
    if (resumeBox.hidden) return;
    if (resumeBox.contains(document.activeElement)) playButton.focus();
    resumeBox.hidden = true;
  }

  // --- the transcript ------------------------------------------------------------------------

  function highlight(now) {
    var found = null;
    var list = sections[current].querySelectorAll(".cue");
    for (var i = 0; i < list.length; i++) {
      if (now >= parseFloat(list[i].dataset.start) && now < parseFloat(list[i].dataset.end)) {
        found = list[i];
        break;
      }
    }
    if (found === currentCue) return;
    // Follow the speech only while the listener can see it: never pull the page away, nor
    // the transcript away from another track's text they are in.
    var along = follow.checked && !kept && shown && shown.isConnected &&
      !shown.closest("[hidden]") && visible(shown);
    if (currentCue) currentCue.removeAttribute("aria-current");
    currentCue = found;
    if (!found) return; // between sentences: the caption stays until the next one
    shown = found;
    found.setAttribute("aria-current", "true");
    show(caption, {text: found.textContent, lang: found.lang});
    fit(caption);
    if (!cuesBox.contains(document.activeElement)) rove(sections[current], found);
    if (along && !visible(found, true)) {
      // Scroll the transcript box only, never the page: bring the sentence to a third down.
      cuesBox.scrollTo({top: Math.max(0, found.offsetTop - cuesBox.clientHeight / 3),
                        behavior: reduceMotion && reduceMotion.matches ? "auto" : "smooth"});
    }
  }

  // The caption box keeps its height: a sentence too long for it is set smaller until it fits
  // (down to the page's own text size).
  function fit(box) {
    box.style.fontSize = "";
    if (box.hidden) return;
    var size = parseFloat(window.getComputedStyle(box).fontSize);
    var least = parseFloat(window.getComputedStyle(document.body).fontSize);
    while (box.scrollHeight > box.clientHeight + 1 && size > least) {
      size = Math.max(least, size - 1);
      box.style.fontSize = size + "px";
    }
  }

  function visible(element, whole) {
    // Is it on screen, inside the transcript box (partly, or as a whole)?
    var r = element.getBoundingClientRect(), box = cuesBox.getBoundingClientRect();
    var top = Math.max(0, box.top), bottom = Math.min(window.innerHeight, box.bottom);
    return whole ? r.top >= top && r.bottom <= bottom : r.bottom > top && r.top < bottom;
  }

  // The transcript is one stop in the Tab order per track shown (a roving tabindex): Tab enters
  // at the sentence being spoken, or the first; the arrow keys, Home and End move between them.
  function rove(section, target) {
    all(".cue", section).forEach(function (cue) { cue.tabIndex = cue === target ? 0 : -1; });
  }

  function onCueKey(event) {
    var cue = event.target.closest(".cue");
    if (!cue || event.altKey || event.ctrlKey || event.metaKey) return;
    var list = all(".cue", cue.closest(".cues"));
    var at = list.indexOf(cue), to = {
      ArrowDown: at + 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowLeft: at - 1,
      Home: 0, End: list.length - 1
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    var target = list[Math.max(0, Math.min(list.length - 1, to))];
    rove(cue.closest(".cues"), target);
    target.focus();
  }

  // The current track's sentences; while searching, also every track with a match; and the
  // one kept for the focus.
  function showSections() {
    var searching = search.value.trim() !== "";
    sections.forEach(function (section, i) {
      section.hidden = !(i === current || section === kept ||
                         (searching && section.querySelector(".match")));
    });
  }

  function release() {
    // Later: while the window itself loses the focus, the focus is still in the text.
    window.setTimeout(function () {
      if (!kept || kept.contains(document.activeElement)) return;
      kept = null;
      showSections();
    }, 0);
  }

  function normal(value) {
    return value.normalize ? value.normalize("NFKC").toLocaleLowerCase(lang) : value.toLowerCase();
  }

  function find() {
    var query = normal(search.value.trim()), count = 0;
    cues.forEach(function (cue) {
      var hit = query !== "" && normal(cue.textContent).indexOf(query) >= 0;
      cue.classList.toggle("match", hit);
      if (hit) count++;
    });
    showSections();
    var found = query ? message("matches", {count: count}) : {text: "", lang: ""};
    show(matches, found);
    window.clearTimeout(searchTimer);
    // Said once typing pauses, not at every key (and shown beside the box all along).
    if (query) searchTimer = window.setTimeout(function () { say(found); }, 700);
  }

  // --- shortcuts -----------------------------------------------------------------------------

  function held() {
    return HELD[modifiers.value] === undefined ? HELD["alt-shift"] : HELD[modifiers.value];
  }

  function showShortcuts() {
    var on = shortcuts.checked, keys = {};
    modifiers.disabled = !on;
    all("kbd[data-code]").forEach(function (kbd) { keys[kbd.dataset.for] = kbd.dataset.key; });
    all("kbd[data-key]").forEach(function (kbd) { kbd.textContent = held() + kbd.dataset.key; });
    all("[data-action]").forEach(function (button) {
      var key = keys[button.dataset.action];
      if (key && on) button.setAttribute("aria-keyshortcuts", held() + key);
      else button.removeAttribute("aria-keyshortcuts");
    });
  }

  function modifiersHeld(event) {
    if (event.metaKey) return false;
    if (modifiers.value === "none") return !event.ctrlKey && !event.altKey && !event.shiftKey;
    return event.altKey && event.shiftKey && !event.ctrlKey;
  }

  function typing(target) {
    var tag = target.tagName;
    return target.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !/^(checkbox|radio|range|button|submit|reset)$/.test(target.type));
  }

  function onKey(event) {
    if (!shortcuts.checked || event.defaultPrevented || event.isComposing) return;
    var target = event.target;
    if (event.code === "Space") {
      // Space belongs to the page (it scrolls) and to controls; only on the player itself,
      // outside its controls, does it play.
      var control = target.closest("button, a, input, select, summary");
      var inPlayer = player.contains(target) && !control;
      if (!inPlayer || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      toggle();
      return;
    }
    if (typing(target) || !modifiersHeld(event)) return;
    var action = KEYS[event.code];
    if (!action) return;
    event.preventDefault();
    actions[action]();
  }

  function setCaptions(on) {
    captions.checked = on;
    caption.hidden = !on;
    fit(caption);
    store("captions", on ? "on" : "off");
  }

  // --- wire up -------------------------------------------------------------------------------
  // Without this script the page is a plain list of the tracks, each with the browser's own
  // controls: the player, its transcript and track list take its place.
  $("plain").remove();
  $("enhanced").hidden = $("transcript").hidden = $("tracks").hidden = false;
  audio.dataset.label = (audio.querySelector("track") || {}).label || "";
  audio.preload = "metadata";
  sections.forEach(function (section, i) { section.hidden = i !== 0; });

  all("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.dataset.action](); });
  });
  tracks.forEach(function (track, i) {
    track.querySelector(".pick").addEventListener("click", function () {
      if (i === current) start(); else load(i, true);
    });
  });
  sections.forEach(function (section, i) {
    rove(section, section.querySelector(".cue"));
    section.addEventListener("keydown", onCueKey);
    section.addEventListener("focusout", release);
    section.addEventListener("click", function (event) {
      var cue = event.target.closest(".cue");
      if (!cue) return;
      if (i !== current) load(i, true); // a search result in another track
      rove(section, cue);
      cue.focus();
      seek(parseFloat(cue.dataset.start));
      start();
    });
  });

  position.addEventListener("input", function () {
    seeking = true;
    seek(parseFloat(position.value));
    seeking = false;
  });
  position.addEventListener("blur", update);
  position.addEventListener("keydown", function () {
    // Held still, it moves on from where the guide is.
    position.value = String(Math.floor(audio.currentTime || 0));
  });
  speed.addEventListener("change", function () { setRate(speed.value, false); });
  step.addEventListener("change", function () { setStep(step.value); });
  volume.addEventListener("input", function () { setVolume(volume.value); });
  search.addEventListener("input", find);
  search.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    // Enter goes to the first match.
    var hit = cuesBox.querySelector(".cues:not([hidden]) .cue.match");
    if (!hit) return;
    event.preventDefault();
    rove(hit.closest(".cues"), hit);
    hit.focus();
  });
  captions.addEventListener("change", function () { setCaptions(captions.checked); });
  follow.addEventListener("change", function () {
    store("follow", follow.checked ? "on" : "off");
  });
  shortcuts.addEventListener("change", function () {
    store("shortcuts", shortcuts.checked ? "on" : "off");
    showShortcuts();
  });
  modifiers.addEventListener("change", function () {
    store("modifiers", modifiers.value);
    showShortcuts();
  });

  audio.addEventListener("play", function () { playing(); hideResume(); hush(); });
  audio.addEventListener("pause", function () { playing(); update(); });
  audio.addEventListener("timeupdate", update);
  audio.addEventListener("durationchange", update);
  audio.addEventListener("seeked", update);
  audio.addEventListener("ended", function () {
    if (current < tracks.length - 1) {
      // Not the listener's doing: the focus stays where they put it, and so does its text.
      kept = cuesBox.contains(document.activeElement) ?
        document.activeElement.closest(".cues") : null;
      load(current + 1, true);
      return;
    }
    tell(message("end"));
    store(SAVED, null); // finished: the next visit starts at the beginning
    savedAt = -1;
  });
  document.addEventListener("keydown", onKey);

  // The play button, and what the player says of the track: playing, paused part way, or
  // ready to play (nothing played yet, or played to its end).
  function playing() {
    var on = !audio.paused;
    show(playLabel, message(on ? "pause" : "play"));
    playButton.classList.toggle("is-playing", on);
    var state = message(on ? "now" : audio.currentTime > 0 && !audio.ended ? "paused" : "ready");
    show($("now-label"), state);
    all(".badge").forEach(function (badge) { show(badge, state); });
  }

  function restore(select, value) {
    return value && all("option", select).some(function (o) { return o.value === value; });
  }

  var saved = store("rate");
  if (restore(speed, saved)) setRate(saved, false);
  saved = store("step");
  setStep(restore(step, saved) ? saved : step.value);
  saved = store("modifiers");
  if (restore(modifiers, saved)) modifiers.value = saved;
  saved = store("volume");
  setVolume(saved !== null && /^\d+$/.test(saved) ? saved : volume.value);
  setMuted(store("muted") === "on");
  shortcuts.checked = store("shortcuts") !== "off";
  follow.checked = store("follow") !== "off";
  setCaptions(store("captions") === "on");
  audio.preservesPitch = true;
  showShortcuts();
  playing();
  offerResume();
  update();
  savedAt = -1;

  // --- listening offline ---------------------------------------------------------------------
  // "Save for offline listening" keeps this language's files in a cache of its own; sw.js
  // answers from it when there is no connection. Each saved file carries the SHA-256 the build
  // gave it: a visit online fetches again only the files whose hash changed. Without service
  // workers (file://, old browsers) the section stays hidden and the page is as it was.
  var offline = $("offline");
  if (!offline || !("serviceWorker" in navigator) || !window.caches ||
      location.protocol === "file:") return;
  var CACHE = offline.dataset.cache, HASH = "X-Audioguide-SHA256";
  var READY = new URL("offline-ready", location.href).href; // marks a whole saved copy
  var saveButton = $("offline-save"), cancelButton = $("offline-cancel");
  var removeButton = $("offline-remove"), progress = $("offline-progress");
  var note = $("offline-status"), space = $("offline-space");
  var files = all("#offline-files li").map(function (item) {
    return {url: new URL(item.dataset.href, location.href).href, sha256: item.dataset.sha256,
            bytes: parseInt(item.dataset.bytes, 10) || 0};
  });
  var needed = files.reduce(function (sum, file) { return sum + file.bytes; }, 0);
  var saving = null;

  function amount(bytes) {
    var unit = bytes >= 1e9 ? "gigabyte" : "megabyte";
    var value = bytes / (unit === "gigabyte" ? 1e9 : 1e6);
    try {
      return new Intl.NumberFormat(lang, {style: "unit", unit: unit, maximumFractionDigits: 1})
        .format(value);
    } catch (e) { return value.toFixed(1) + (unit === "gigabyte" ? " GB" : " MB"); }
  }

  // The room the browser gives this site, or null where it does not say.
  function free() {
    if (!navigator.storage || !navigator.storage.estimate) return Promise.resolve(null);
    return navigator.storage.estimate().then(function (e) {
      return Math.max(0, (e.quota || 0) - (e.usage || 0));
    }, function () { return null; });
  }

  function state(saved, busy) {
    saveButton.hidden = saved || busy;
    cancelButton.hidden = !busy;
    removeButton.hidden = !saved || busy;
    progress.hidden = !busy;
  }

  // Shown, and said only while the guide is paused: never over the narration.
  function offlineTell(part) {
    show(note, part);
    say(part);
  }

  // Fetch into the cache every file whose saved copy is missing or has another hash; remove
  // the files the page no longer lists. ``loud``: progress shown and said in steps.
  function sync(loud) {
    var controller = window.AbortController ? new AbortController() : null;
    var done = 0, told = 0;
    saving = controller || {};
    if (loud) { progress.value = 0; state(false, true); }
    return caches.open(CACHE).then(function (cache) {
      var wanted = {};
      files.forEach(function (file) { wanted[file.url] = true; });
      wanted[READY] = true;
      var chain = cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (request) { return !wanted[request.url]; })
          .map(function (request) { return cache.delete(request); }));
      });
      files.forEach(function (file) {
        chain = chain.then(function () {
          return cache.match(file.url);
        }).then(function (old) {
          if (old && file.sha256 && old.headers.get(HASH) === file.sha256) return null;
          var url = file.url + "?sha256=" + (file.sha256 || "latest");
          return fetch(url, {cache: "no-store", signal: controller && controller.signal})
            .then(function (response) {
              if (!response.ok) throw new TypeError("HTTP " + response.status);
              return response.blob().then(function (blob) {
                var headers = {"Content-Type": response.headers.get("Content-Type") || blob.type,
                               "Content-Length": String(blob.size)};
                headers[HASH] = file.sha256;
                return cache.put(file.url, new Response(blob, {headers: headers}));
              });
            });
        }).then(function () {
          done += file.bytes;
          if (!loud) return;
          var percent = needed ? Math.floor(100 * done / needed) : 100;
          progress.value = percent;
          show(note, message("offline-saving", {percent: percent}));
          // Said in steps of a quarter, and only while the guide is paused.
          if (percent >= told + 25 && percent < 100) {
            told = percent - percent % 25;
            say(message("offline-saving", {percent: told}));
          }
        });
      });
      return chain.then(function () {
        return cache.put(READY, new Response("ready", {headers: {"Content-Type": "text/plain"}}));
      });
    });
  }

  function save() {
    free().then(function (room) {
      if (room !== null && room < needed) {
        offlineTell(message("offline-no-space", {size: amount(needed), free: amount(room)}));
        return;
      }
      sync(true).then(function () {
        saving = null;
        state(true, false);
        offlineTell(message("offline-ready"));
        removeButton.focus();
      }, function (error) {
        var cancelled = error && error.name === "AbortError";
        saving = null;
        state(false, false);
        saveButton.focus();
        caches.delete(CACHE).then(function () {
          if (cancelled) return offlineTell(message("offline-cancelled"));
          if (error && error.name === "QuotaExceededError") {
            return free().then(function (room) {
              offlineTell(message("offline-no-space", {size: amount(needed),
                                                       free: amount(room || 0)}));
            });
          }
          offlineTell(message(error instanceof TypeError ? "offline-failed" : "offline-refused"));
        });
      });
    });
  }

  saveButton.addEventListener("click", save);
  cancelButton.addEventListener("click", function () {
    if (saving && saving.abort) saving.abort();
  });
  removeButton.addEventListener("click", function () {
    caches.delete(CACHE).then(function () {
      state(false, false);
      saveButton.focus();
      offlineTell(message("offline-removed"));
    });
  });

  // Offline, a language that is not saved says so instead of failing to load.
  all(".langs a[hreflang]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (navigator.onLine !== false || link.getAttribute("aria-current")) return;
      event.preventDefault();
      var name = CACHE.slice(0, CACHE.length - lang.length) + link.hreflang;
      var ready = new URL("offline-ready", link.href).href;
      caches.open(name).then(function (cache) {
        return cache.match(ready);
      }).then(function (found) {
        if (found) { location.href = link.href; return; }
        offlineTell(message("offline-needs", {language: link.textContent}));
      });
    });
  });

  // Shown once a service worker serves the page: at once when one already does (offline, the
  // worker cannot be fetched again to check for a newer one), else when it is registered.
  var begun = false;
  function begin() {
    if (begun) return;
    begun = true;
    offline.hidden = false;
    caches.open(CACHE).then(function (cache) { return cache.match(READY); }).then(function (ready) {
      state(Boolean(ready), false);
      if (ready && navigator.onLine !== false) {
        // Online with a saved copy: bring it up to date, quietly (unchanged files stay).
        sync(false).then(function () {
          saving = null;
          offline.dataset.updated = "true";
        }, function () { saving = null; });
      }
      if (!ready) {
        free().then(function (room) {
          if (room !== null) show(space, message("offline-space", {free: amount(room)}));
        });
      }
    }, function () { /* the browser keeps no caches here: the page stays as it was */ });
  }
  if (navigator.serviceWorker.controller) begin();
  navigator.serviceWorker.register(offline.dataset.worker).then(begin, function () {
    /* refused, or a host that is not secure: the page stays as it was */
  });
})();
