package jpeg

// useAVX2 selects the AVX2 assembly (set once in init on amd64; tests
// clear it to run the Go code).
var useAVX2 bool
