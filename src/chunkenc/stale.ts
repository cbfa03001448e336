// The stale marker (model/value.StaleNaN): the NaN 0x7ff0000000000002, written
// when a series disappears. Told by its bits, as the high and low 32-bit words
// of a float64, never as a number (no NaN equals anything).

export const STALE_HI = 0x7ff00000;
export const STALE_LO = 0x00000002;
