// Copies the front-end libraries the workspace uses from node_modules into the assets that
// `kensa serve` embeds (run `npm ci && npm run vendor` after changing a version in
// package.json; the copies are committed so that building Kensa needs no Node.js).
import { copyFileSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const files = [
  ['node_modules/echarts/dist/echarts.min.js', '../crates/kensa-server/assets/vendor/echarts.min.js'],
  ['node_modules/echarts/LICENSE', '../crates/kensa-server/assets/vendor/echarts.LICENSE'],
];
for (const [from, to] of files) {
  copyFileSync(new URL(from, import.meta.url), new URL(to, import.meta.url));
  const sum = createHash('sha256').update(readFileSync(new URL(to, import.meta.url))).digest('hex');
  console.log(`${to}  sha256 ${sum}`);
}
