package jpeg

// useAVX2 selects the AVX2 assembly of the IDCT, useBMI2 the assembly
// of skipBlocks (set once in init on amd64; tests clear them to run the
// Go code).
var useAVX2, useBMI2 bool
