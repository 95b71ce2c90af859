//go:build amd64 && gc && !purego

#include "textflag.h"

// func prefetchRows(p *float32, rows, ld, lines int)
// PREFETCHT1 of lines cache lines (64 bytes) from the start of each of
// rows rows ld floats apart: into L2, ahead of a micro-panel's first use.
TEXT ·prefetchRows(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ rows+8(FP), CX
	MOVQ ld+16(FP), DX
	MOVQ lines+24(FP), BX
	SHLQ $2, DX
	TESTQ BX, BX
	JLE done
	TESTQ CX, CX
	JLE done
row:
	MOVQ SI, DI
	MOVQ BX, AX
line:
	PREFETCHT1 (DI)
	ADDQ $64, DI
	DECQ AX
	JNZ line
	ADDQ DX, SI
	DECQ CX
	JNZ row
done:
	RET
