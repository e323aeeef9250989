// Reads a podcast feed the way Podcast Index does (podcast-partytime) and prints it as JSON.
// Usage: node tests/partytime.js FEED.xml (run from the repository root).
const { parseFeed } = require(require("path").resolve("node_modules/podcast-partytime"));
const fs = require("fs");

const feed = parseFeed(fs.readFileSync(process.argv[2], "utf8"));
if (!feed) {
  process.stderr.write("podcast-partytime could not read the feed\n");
  process.exit(1);
}
process.stdout.write(JSON.stringify(feed));
