// The signal test, at RELIABILITY_ROUNDS points of a new seed.
import '../reliability/signals.test.js';
