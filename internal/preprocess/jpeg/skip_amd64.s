//go:build amd64 && gc && !purego

#include "textflag.h"
#include "go_asm.h"

// skipBlocksBMI2 is skipBlocks' common case (fast.go: skipBlock for each
// block), with the bit buffer in registers and BMI2 shifts: a shift by a
// table entry (SHLX takes its count mod 64) shifts by the entry's low
// byte, so a skip look-up is SHR, load, SHLX on the critical path.
//
// Register plan: SI data, R8 len(data), R9 p, R10 acc, R11 n, BX the DC
// code table (fastHuff.lut), R12 the skip table, R13 k (zig-zag position)
// and, before the AC terms, a temporary; DI the next DC difference to
// store; AX, CX, DX temporaries. Locals: 0(SP) blocks left, 8–24(SP) p,
// acc, n at the start of the current block, restored when it bails;
// 32(SP) where slowfill returns to (0: dcterm, 1: aclook).

// SKIPTERMS reads past the whole terms of one skip-table look-up: e =
// a<<8 | bits used (AX), k += a (R13), or leaves for acexit when k+a
// reaches the block's end. DX is scratch.
#define SKIPTERMS \
	MOVQ R10, AX \
	SHRQ $(64-const_skipLUTBits), AX \
	MOVWLZX (R12)(AX*2), AX \
	MOVL AX, DX \
	SHRL $8, DX \
	ADDQ R13, DX \
	CMPQ DX, $const_blockSize \
	JAE acexit \
	SHLXQ AX, R10, R10 \
	MOVBQZX AL, AX \
	SUBQ AX, R11 \
	MOVQ DX, R13

// FILL tops up acc as fill (fast.go) does, or jumps to fail when the next
// 8 bytes are past the end of data or hold a 0xff.
#define FILL(fail) \
	LEAQ 8(R9), AX \
	CMPQ AX, R8 \
	JHI fail \
	MOVQ (SI)(R9*1), AX \
	BSWAPQ AX \
	MOVQ AX, DX \
	NOTQ DX \
	MOVQ $0x0101010101010101, CX \
	SUBQ CX, DX \
	ANDQ AX, DX \
	MOVQ $0x8080808080808080, CX \
	TESTQ CX, DX \
	JNZ fail \
	SHRXQ R11, AX, AX \
	ORQ AX, R10 \
	MOVL $63, AX \
	SUBQ R11, AX \
	SHRQ $3, AX \
	ADDQ AX, R9 \
	ORQ $56, R11

// func skipBlocksBMI2(r *bitReader, dc, ac *fastHuff, t *skipTable, dcs []int32) int
TEXT ·skipBlocksBMI2(SB), NOSPLIT, $40-64
	MOVQ r+0(FP), AX
	MOVQ bitReader_data(AX), SI
	MOVQ bitReader_data+8(AX), R8
	MOVQ bitReader_p(AX), R9
	MOVQ bitReader_acc(AX), R10
	MOVQ bitReader_n(AX), R11
	MOVQ dc+8(FP), BX
	MOVQ t+24(FP), R12
	MOVQ dcs_base+32(FP), DI
	MOVQ dcs_len+40(FP), CX
	MOVQ CX, 0(SP)
	TESTQ CX, CX
	JZ done

block:
	MOVQ R9, 8(SP)
	MOVQ R10, 16(SP)
	MOVQ R11, 24(SP)
	// One top-up for the DC term (up to 25 bits) and the first two
	// look-ups (up to 28).
	CMPQ R11, $56
	JAE dcterm
	FILL(blockslow)

dcterm:
	// v = size<<8 | code length, from the 9-bit code table.
	MOVQ R10, AX
	SHRQ $55, AX
	MOVWLZX (BX)(AX*2), AX
	TESTL AX, AX
	JZ bail
	MOVL AX, DX
	SHRL $8, DX
	CMPL DX, $16
	JA bail
	SHLXQ AX, R10, R10
	MOVBQZX AL, AX
	SUBQ AX, R11
	SUBQ DX, R11
	// x = the size bits, plus (−2^size + 1) when the first is 0 (EXTEND).
	MOVQ R10, AX
	SHRQ $1, AX
	MOVL $63, CX
	SUBL DX, CX
	SHRXQ CX, AX, AX
	MOVQ $-1, CX
	SHLXQ DX, CX, CX
	INCQ CX
	MOVQ R10, R13
	NOTQ R13
	SARQ $63, R13
	ANDQ R13, CX
	ADDQ CX, AX
	MOVL AX, (DI)
	SHLXQ DX, R10, R10
	MOVL $1, R13
	JMP aclook3

ac:
	// Four look-ups per top-up.
	CMPQ R11, $(4*const_skipLUTBits)
	JB acfill

aclook:
	SKIPTERMS
	SKIPTERMS
aclook3:
	SKIPTERMS
	SKIPTERMS
	JMP ac

acfill:
	FILL(acslow)
	JMP aclook

blockslow:
	MOVQ $0, 32(SP)
	JMP slowfill

acslow:
	MOVQ $1, 32(SP)

slowfill:
	// FILL failed: a 0xff or the end of data within 8 bytes. Load byte
	// by byte as refill (fast.go) does, 0xff 0x00 as 0xff, up to n > 56;
	// bail at a marker or at the last byte of data.
	CMPQ R11, $56
	JHI slowdone
	LEAQ 1(R9), AX
	CMPQ AX, R8
	JAE bail
	MOVBQZX (SI)(R9*1), AX
	INCQ R9
	CMPB AL, $0xff
	JNE slowtake
	CMPB (SI)(R9*1), $0
	JNE bail
	INCQ R9

slowtake:
	MOVL $56, CX
	SUBQ R11, CX
	SHLXQ CX, AX, AX
	ORQ AX, R10
	ADDQ $8, R11
	JMP slowfill

slowdone:
	CMPQ 32(SP), $0
	JEQ dcterm
	JMP aclook

acexit:
	// DX = k+a. The block's end of block: 64 ≤ a < skipLong and
	// k+a−64 < 64; its last position: a < 64 and k+a = 64; one long
	// term: skipLong < a < skipNone, n ≥ 32 and k+a−skipLong ≤ 64;
	// else bail.
	MOVL AX, CX
	SHRL $8, CX
	CMPL CX, $const_blockSize
	JB acfull
	CMPL CX, $const_skipLong
	JAE aclong
	CMPQ DX, $(2*const_blockSize)
	JAE bail
	JMP blockend

aclong:
	CMPL CX, $const_skipNone
	JE accode
	CMPQ R11, $32
	JAE aclongfits
	FILL(bail)
	JMP aclook

aclongfits:
	SUBQ $const_skipLong, DX
	CMPQ DX, $const_blockSize
	JHI bail
	SHLXQ AX, R10, R10
	MOVBQZX AL, AX
	SUBQ AX, R11
	MOVQ DX, R13
	CMPQ DX, $const_blockSize
	JB ac
	JMP blockdone

accode:
	// A code the skip table does not hold (longer than 14 bits, or an
	// EOB run): decode it as fastHuff.code does, with n ≥ 32 for a code
	// of up to 16 bits and up to 15 value bits.
	CMPQ R11, $32
	JAE accodego
	FILL(bail)
	JMP aclook

accodego:
	MOVQ ac+16(FP), CX
	MOVQ R10, AX
	SHRQ $(64-const_fastLUTBits), AX
	MOVWLZX fastHuff_lut(CX)(AX*2), DX
	TESTL DX, DX
	JNZ acterm
	// Codes of 10 to 16 bits (DX): the first whose code ≤ maxCodes.
	MOVQ fastHuff_h(CX), CX
	MOVL $(const_fastLUTBits+1), DX

accodelen:
	MOVL $64, AX
	SUBL DX, AX
	SHRXQ AX, R10, AX
	CMPL AX, (huffman_maxCodes-4)(CX)(DX*4)
	JLE accodefound
	INCL DX
	CMPL DX, $const_maxCodeLength
	JLS accodelen
	JMP bail

accodefound:
	SUBL (huffman_minCodes-4)(CX)(DX*4), AX
	ADDL (huffman_valsIndices-4)(CX)(DX*4), AX
	MOVBLZX huffman_vals(CX)(AX*1), AX
	SHLL $8, AX
	ORL AX, DX

acterm:
	// DX = rs<<8 | code length: a term, a ZRL or an end of block (left
	// to skipBlock, as is a term past the block's end).
	MOVL DX, AX
	SHRL $8, AX
	MOVL AX, CX
	ANDL $15, CX
	JZ aczero
	ANDL $0xff, DX
	ADDL CX, DX
	SHRL $4, AX
	LEAQ 1(R13)(AX*1), AX
	CMPQ AX, $const_blockSize
	JHI bail
	SHLXQ DX, R10, R10
	SUBQ DX, R11
	MOVQ AX, R13
	CMPQ AX, $const_blockSize
	JB ac
	JMP blockdone

aczero:
	CMPL AX, $0xf0
	JNE bail
	LEAQ 16(R13), AX
	CMPQ AX, $const_blockSize
	JAE bail
	ANDL $0xff, DX
	SHLXQ DX, R10, R10
	SUBQ DX, R11
	MOVQ AX, R13
	JMP ac

acfull:
	CMPQ DX, $const_blockSize
	JNE bail

blockend:
	SHLXQ AX, R10, R10
	MOVBQZX AL, AX
	SUBQ AX, R11

blockdone:
	ADDQ $4, DI
	DECQ 0(SP)
	JNZ block
	JMP done

bail:
	MOVQ 8(SP), R9
	MOVQ 16(SP), R10
	MOVQ 24(SP), R11

done:
	MOVQ r+0(FP), AX
	MOVQ R9, bitReader_p(AX)
	MOVQ R10, bitReader_acc(AX)
	MOVQ R11, bitReader_n(AX)
	SUBQ dcs_base+32(FP), DI
	SHRQ $2, DI
	MOVQ DI, ret+56(FP)
	RET
