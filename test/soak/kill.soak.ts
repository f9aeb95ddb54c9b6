// The kill test, at RELIABILITY_ROUNDS points of a new seed.
import '../reliability/kill.test.js';
