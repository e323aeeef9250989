/* audioguide's service worker: a saved language plays without a connection.

   The player page saves a language into its own cache ("audioguide-<guide>-<tag>") when the
   listener asks for it (player.js, "Save for offline listening"); this worker only answers
   from those caches:
   - audio, captions and transcripts (.mp3, .vtt, .txt): from the cache when saved, a Range
     request answered with the part asked for (the browser seeks with them); else the network;
   - everything else (the pages, script, style, cover): the network first, so a rebuild is seen
     at once, and the saved copy when there is no connection. A page that comes back from the
     network also replaces its saved copy.
   A request with "?sha256=" in it is the player saving a file of a known hash: it always goes
   to the network. Nothing else is cached, nothing is fetched ahead, no other host is asked. */
"use strict";

var PREFIX = "audioguide-";
var MEDIA = /\.(mp3|vtt|txt)$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.searchParams.has("sha256")) return;
  if (MEDIA.test(url.pathname)) event.respondWith(media(request));
  else event.respondWith(page(request));
});

// The saved copy of a URL ("…/ko/" is "…/ko/index.html"), from any of the guide's caches.
function saved(url) {
  var key = new URL(url);
  key.search = key.hash = "";
  if (key.pathname.slice(-1) === "/") key.pathname += "index.html";
  return caches.keys().then(function (names) {
    names = names.filter(function (name) { return name.indexOf(PREFIX) === 0; });
    return names.reduce(function (found, name) {
      return found.then(function (response) {
        if (response) return response;
        return caches.open(name).then(function (cache) { return cache.match(key.href); });
      });
    }, Promise.resolve(undefined)).then(function (response) {
      return response ? {response: response, key: key.href} : null;
    });
  });
}

function media(request) {
  return saved(request.url).then(function (found) {
    if (!found) return fetch(request);
    var range = request.headers.get("Range");
    return range ? part(found.response, range) : found.response;
  });
}

// A 206 answer with the bytes a Range header asks for ("bytes=100-", "bytes=100-199",
// "bytes=-500"); a 416 for a range outside the file.
function part(response, range) {
  return response.blob().then(function (blob) {
    var size = blob.size, match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    var start = match && match[1] !== "" ? parseInt(match[1], 10) : NaN;
    var end = match && match[2] !== "" ? parseInt(match[2], 10) : size - 1;
    if (match && match[1] === "" && match[2] !== "") {
      start = Math.max(0, size - parseInt(match[2], 10));
      end = size - 1;
    }
    end = Math.min(end, size - 1);
    if (!(start >= 0) || start > end) {
      return new Response(null, {status: 416, headers: {"Content-Range": "bytes */" + size}});
    }
    return new Response(blob.slice(start, end + 1), {
      status: 206,
      headers: {
        "Content-Type": response.headers.get("Content-Type") || blob.type,
        "Content-Length": String(end - start + 1),
        "Content-Range": "bytes " + start + "-" + end + "/" + size,
        "Accept-Ranges": "bytes"
      }
    });
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.status === 200) {
      // A saved page, fetched again online: the saved copy becomes this one.
      var copy = response.clone();
      saved(request.url).then(function (found) {
        if (!found) return;
        return caches.keys().then(function (names) {
          return names.filter(function (name) { return name.indexOf(PREFIX) === 0; })
            .reduce(function (done, name) {
              return done.then(function (put) {
                if (put) return put;
                return caches.open(name).then(function (cache) {
                  return cache.match(found.key).then(function (old) {
                    if (!old) return false;
                    return cache.put(found.key, copy).then(function () { return true; });
                  });
                });
              });
            }, Promise.resolve(false));
        });
      });
    }
    return response;
  }, function (error) {
    return saved(request.url).then(function (found) {
      if (found) return found.response;
      throw error;
    });
  });
}
