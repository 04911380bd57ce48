// Fixture program for the mmspec replay harness: Node.js allocates large buffers and a growable
// WebAssembly memory (a PROT_NONE reservation made accessible piecewise), frees some, then prints
// /proc/self/maps.
const fs = require('fs');
const keep = [];
for (let i = 0; i < 8; i++) keep.push(Buffer.alloc((i + 1) * 256 * 1024, 1));
keep.splice(2, 3);
const mem = new WebAssembly.Memory({ initial: 4, maximum: 64 });
mem.grow(8);
new Uint8Array(mem.buffer).fill(7);
process.stdout.write(fs.readFileSync('/proc/self/maps', 'utf8'));
