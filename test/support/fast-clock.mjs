// Preloaded into an import process (`node --import ./fast-clock.mjs …`): performance.now() moves
// a second at every reading, so that whatever is due after some time (the progress bar) is due at
// once, on a fast machine as on a slow one. IMPORT_LOGS_TEST_TTY=1 also makes stderr say it is a
// terminal, as the bar requires.
let now = 0;
performance.now = () => (now += 1000);
if (process.env.IMPORT_LOGS_TEST_TTY === '1') Object.defineProperty(process.stderr, 'isTTY', { value: true });
