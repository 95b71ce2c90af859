//go:build amd64 && gc && !purego

#include "textflag.h"

// idctAVX2 is idctIslow (idct.go) with eight int32 lanes: each pass works
// on eight rows (pass 1) or columns (pass 2) at once, lane i holding
// column (row) i, so the arithmetic, its int32 wrap-around and the
// zero-AC shortcuts are those of the Go code, bit for bit.
//
// Register plan of IDCT_PASS: Y0–Y7 in/out x0..x7 (outputs land in
// Y8, Y0, Y2, Y6, Y4, Y7, Y5, Y3 before the final moves), Y8–Y12
// temporaries, Y13 the rounding constant, Y14 the lanes whose AC inputs
// are all zero, Y15 the shortcut value of those lanes. Between the passes
// the 8×8 int32 workspace is transposed in registers (TRANSPOSE uses
// Y8–Y15 as temporaries); the output is transposed back and packed to
// bytes with saturation after libjpeg's range-limit wrap (sign-extend
// 10 bits, add 128).

#define C0541 idctK<>+0(SB)
#define CM1847 idctK<>+32(SB)
#define C0765 idctK<>+64(SB)
#define C1175 idctK<>+96(SB)
#define C0298 idctK<>+128(SB)
#define C2053 idctK<>+160(SB)
#define C3072 idctK<>+192(SB)
#define C1501 idctK<>+224(SB)
#define CM0899 idctK<>+256(SB)
#define CM2562 idctK<>+288(SB)
#define CM1961 idctK<>+320(SB)
#define CM0390 idctK<>+352(SB)
#define R11 idctK<>+384(SB)
#define R18 idctK<>+416(SB)
#define R5 idctK<>+448(SB)
#define C128 idctK<>+480(SB)
#define PERM idctK<>+512(SB)

// TRANSPOSE transposes the 8×8 int32 matrix in Y0..Y7 (rows) in place.
#define TRANSPOSE \
	VPUNPCKLDQ Y1, Y0, Y8 \
	VPUNPCKHDQ Y1, Y0, Y9 \
	VPUNPCKLDQ Y3, Y2, Y10 \
	VPUNPCKHDQ Y3, Y2, Y11 \
	VPUNPCKLDQ Y5, Y4, Y12 \
	VPUNPCKHDQ Y5, Y4, Y13 \
	VPUNPCKLDQ Y7, Y6, Y14 \
	VPUNPCKHDQ Y7, Y6, Y15 \
	VPUNPCKLQDQ Y10, Y8, Y0 \
	VPUNPCKHQDQ Y10, Y8, Y1 \
	VPUNPCKLQDQ Y11, Y9, Y2 \
	VPUNPCKHQDQ Y11, Y9, Y3 \
	VPUNPCKLQDQ Y14, Y12, Y4 \
	VPUNPCKHQDQ Y14, Y12, Y5 \
	VPUNPCKLQDQ Y15, Y13, Y6 \
	VPUNPCKHQDQ Y15, Y13, Y7 \
	VPERM2I128 $0x20, Y4, Y0, Y8 \
	VPERM2I128 $0x31, Y4, Y0, Y12 \
	VPERM2I128 $0x20, Y5, Y1, Y9 \
	VPERM2I128 $0x31, Y5, Y1, Y13 \
	VPERM2I128 $0x20, Y6, Y2, Y10 \
	VPERM2I128 $0x31, Y6, Y2, Y14 \
	VPERM2I128 $0x20, Y7, Y3, Y11 \
	VPERM2I128 $0x31, Y7, Y3, Y15 \
	VMOVDQA Y8, Y0 \
	VMOVDQA Y9, Y1 \
	VMOVDQA Y10, Y2 \
	VMOVDQA Y11, Y3 \
	VMOVDQA Y12, Y4 \
	VMOVDQA Y13, Y5 \
	VMOVDQA Y14, Y6 \
	VMOVDQA Y15, Y7

// IDCT_PASS is one pass of jpeg_idct_islow on the lanes of Y0..Y7, its
// outputs descaled by SHIFT with rounding ROUND; Y15 must hold the
// shortcut output of the lanes whose x1..x7 are zero (computed by the
// caller from Y0), and the outputs of those lanes are replaced by it.
#define IDCT_PASS(ROUND, SHIFT) \
	VPOR Y1, Y2, Y14 \
	VPOR Y3, Y14, Y14 \
	VPOR Y4, Y14, Y14 \
	VPOR Y5, Y14, Y14 \
	VPOR Y6, Y14, Y14 \
	VPOR Y7, Y14, Y14 \
	VPXOR Y13, Y13, Y13 \
	VPCMPEQD Y13, Y14, Y14 \
	VPADDD Y6, Y2, Y8 \
	VPMULLD C0541, Y8, Y8 \
	VPMULLD CM1847, Y6, Y9 \
	VPADDD Y8, Y9, Y9 \
	VPMULLD C0765, Y2, Y10 \
	VPADDD Y8, Y10, Y10 \
	VPADDD Y4, Y0, Y2 \
	VPSLLD $13, Y2, Y2 \
	VPSUBD Y4, Y0, Y6 \
	VPSLLD $13, Y6, Y6 \
	VPADDD Y10, Y2, Y0 \
	VPSUBD Y10, Y2, Y4 \
	VPADDD Y9, Y6, Y2 \
	VPSUBD Y9, Y6, Y6 \
	VPADDD Y1, Y7, Y8 \
	VPADDD Y3, Y5, Y9 \
	VPADDD Y3, Y7, Y10 \
	VPADDD Y1, Y5, Y11 \
	VPADDD Y11, Y10, Y12 \
	VPMULLD C1175, Y12, Y12 \
	VPMULLD C0298, Y7, Y7 \
	VPMULLD C2053, Y5, Y5 \
	VPMULLD C3072, Y3, Y3 \
	VPMULLD C1501, Y1, Y1 \
	VPMULLD CM0899, Y8, Y8 \
	VPMULLD CM2562, Y9, Y9 \
	VPMULLD CM1961, Y10, Y10 \
	VPMULLD CM0390, Y11, Y11 \
	VPADDD Y12, Y10, Y10 \
	VPADDD Y12, Y11, Y11 \
	VPADDD Y8, Y7, Y7 \
	VPADDD Y10, Y7, Y7 \
	VPADDD Y9, Y5, Y5 \
	VPADDD Y11, Y5, Y5 \
	VPADDD Y9, Y3, Y3 \
	VPADDD Y10, Y3, Y3 \
	VPADDD Y8, Y1, Y1 \
	VPADDD Y11, Y1, Y1 \
	VMOVDQU ROUND, Y13 \
	VPADDD Y13, Y0, Y0 \
	VPADDD Y13, Y2, Y2 \
	VPADDD Y13, Y6, Y6 \
	VPADDD Y13, Y4, Y4 \
	VPADDD Y1, Y0, Y8 \
	VPSUBD Y1, Y0, Y9 \
	VPADDD Y3, Y2, Y1 \
	VPSUBD Y3, Y2, Y10 \
	VPADDD Y5, Y6, Y2 \
	VPSUBD Y5, Y6, Y11 \
	VPADDD Y7, Y4, Y3 \
	VPSUBD Y7, Y4, Y4 \
	VPSRAD $SHIFT, Y8, Y0 \
	VPSRAD $SHIFT, Y1, Y1 \
	VPSRAD $SHIFT, Y2, Y2 \
	VPSRAD $SHIFT, Y3, Y3 \
	VPSRAD $SHIFT, Y4, Y4 \
	VPSRAD $SHIFT, Y11, Y5 \
	VPSRAD $SHIFT, Y10, Y6 \
	VPSRAD $SHIFT, Y9, Y7 \
	VPBLENDVB Y14, Y15, Y0, Y0 \
	VPBLENDVB Y14, Y15, Y1, Y1 \
	VPBLENDVB Y14, Y15, Y2, Y2 \
	VPBLENDVB Y14, Y15, Y3, Y3 \
	VPBLENDVB Y14, Y15, Y4, Y4 \
	VPBLENDVB Y14, Y15, Y5, Y5 \
	VPBLENDVB Y14, Y15, Y6, Y6 \
	VPBLENDVB Y14, Y15, Y7, Y7

// func idctAVX2(b *block, dst *byte, stride int)
TEXT ·idctAVX2(SB), NOSPLIT, $0-24
	MOVQ b+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ stride+16(FP), DX
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VMOVDQU 128(SI), Y4
	VMOVDQU 160(SI), Y5
	VMOVDQU 192(SI), Y6
	VMOVDQU 224(SI), Y7

	// Pass 1: columns (lane c = column c); shortcut dc << 2.
	VPSLLD $2, Y0, Y15
	IDCT_PASS(R11, 11)
	TRANSPOSE

	// Pass 2: rows (lane r = row r); shortcut (w0 + 16) >> 5.
	VPADDD R5, Y0, Y15
	VPSRAD $5, Y15, Y15
	IDCT_PASS(R18, 18)
	TRANSPOSE

	// Range limit: sign-extend the low 10 bits, add 128; pack to bytes
	// with saturation, rows 0–3 then 4–7.
	VMOVDQU C128, Y13
	VMOVDQU PERM, Y12
	VPSLLD $22, Y0, Y0
	VPSLLD $22, Y1, Y1
	VPSLLD $22, Y2, Y2
	VPSLLD $22, Y3, Y3
	VPSLLD $22, Y4, Y4
	VPSLLD $22, Y5, Y5
	VPSLLD $22, Y6, Y6
	VPSLLD $22, Y7, Y7
	VPSRAD $22, Y0, Y0
	VPSRAD $22, Y1, Y1
	VPSRAD $22, Y2, Y2
	VPSRAD $22, Y3, Y3
	VPSRAD $22, Y4, Y4
	VPSRAD $22, Y5, Y5
	VPSRAD $22, Y6, Y6
	VPSRAD $22, Y7, Y7
	VPADDD Y13, Y0, Y0
	VPADDD Y13, Y1, Y1
	VPADDD Y13, Y2, Y2
	VPADDD Y13, Y3, Y3
	VPADDD Y13, Y4, Y4
	VPADDD Y13, Y5, Y5
	VPADDD Y13, Y6, Y6
	VPADDD Y13, Y7, Y7
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSDW Y5, Y4, Y4
	VPACKSSDW Y7, Y6, Y6
	VPACKUSWB Y2, Y0, Y0
	VPACKUSWB Y6, Y4, Y4
	VPERMD Y0, Y12, Y0
	VPERMD Y4, Y12, Y4
	LEAQ (DX)(DX*2), CX
	VMOVQ X0, (DI)
	VPEXTRQ $1, X0, (DI)(DX*1)
	VEXTRACTI128 $1, Y0, X1
	VMOVQ X1, (DI)(DX*2)
	VPEXTRQ $1, X1, (DI)(CX*1)
	LEAQ (DI)(DX*4), DI
	VMOVQ X4, (DI)
	VPEXTRQ $1, X4, (DI)(DX*1)
	VEXTRACTI128 $1, Y4, X5
	VMOVQ X5, (DI)(DX*2)
	VPEXTRQ $1, X5, (DI)(CX*1)
	VZEROUPPER
	RET

DATA idctK<>+0(SB)/4, $0x1151
DATA idctK<>+4(SB)/4, $0x1151
DATA idctK<>+8(SB)/4, $0x1151
DATA idctK<>+12(SB)/4, $0x1151
DATA idctK<>+16(SB)/4, $0x1151
DATA idctK<>+20(SB)/4, $0x1151
DATA idctK<>+24(SB)/4, $0x1151
DATA idctK<>+28(SB)/4, $0x1151
DATA idctK<>+32(SB)/4, $0xffffc4df
DATA idctK<>+36(SB)/4, $0xffffc4df
DATA idctK<>+40(SB)/4, $0xffffc4df
DATA idctK<>+44(SB)/4, $0xffffc4df
DATA idctK<>+48(SB)/4, $0xffffc4df
DATA idctK<>+52(SB)/4, $0xffffc4df
DATA idctK<>+56(SB)/4, $0xffffc4df
DATA idctK<>+60(SB)/4, $0xffffc4df
DATA idctK<>+64(SB)/4, $0x187e
DATA idctK<>+68(SB)/4, $0x187e
DATA idctK<>+72(SB)/4, $0x187e
DATA idctK<>+76(SB)/4, $0x187e
DATA idctK<>+80(SB)/4, $0x187e
DATA idctK<>+84(SB)/4, $0x187e
DATA idctK<>+88(SB)/4, $0x187e
DATA idctK<>+92(SB)/4, $0x187e
DATA idctK<>+96(SB)/4, $0x25a1
DATA idctK<>+100(SB)/4, $0x25a1
DATA idctK<>+104(SB)/4, $0x25a1
DATA idctK<>+108(SB)/4, $0x25a1
DATA idctK<>+112(SB)/4, $0x25a1
DATA idctK<>+116(SB)/4, $0x25a1
DATA idctK<>+120(SB)/4, $0x25a1
DATA idctK<>+124(SB)/4, $0x25a1
DATA idctK<>+128(SB)/4, $0x98e
DATA idctK<>+132(SB)/4, $0x98e
DATA idctK<>+136(SB)/4, $0x98e
DATA idctK<>+140(SB)/4, $0x98e
DATA idctK<>+144(SB)/4, $0x98e
DATA idctK<>+148(SB)/4, $0x98e
DATA idctK<>+152(SB)/4, $0x98e
DATA idctK<>+156(SB)/4, $0x98e
DATA idctK<>+160(SB)/4, $0x41b3
DATA idctK<>+164(SB)/4, $0x41b3
DATA idctK<>+168(SB)/4, $0x41b3
DATA idctK<>+172(SB)/4, $0x41b3
DATA idctK<>+176(SB)/4, $0x41b3
DATA idctK<>+180(SB)/4, $0x41b3
DATA idctK<>+184(SB)/4, $0x41b3
DATA idctK<>+188(SB)/4, $0x41b3
DATA idctK<>+192(SB)/4, $0x6254
DATA idctK<>+196(SB)/4, $0x6254
DATA idctK<>+200(SB)/4, $0x6254
DATA idctK<>+204(SB)/4, $0x6254
DATA idctK<>+208(SB)/4, $0x6254
DATA idctK<>+212(SB)/4, $0x6254
DATA idctK<>+216(SB)/4, $0x6254
DATA idctK<>+220(SB)/4, $0x6254
DATA idctK<>+224(SB)/4, $0x300b
DATA idctK<>+228(SB)/4, $0x300b
DATA idctK<>+232(SB)/4, $0x300b
DATA idctK<>+236(SB)/4, $0x300b
DATA idctK<>+240(SB)/4, $0x300b
DATA idctK<>+244(SB)/4, $0x300b
DATA idctK<>+248(SB)/4, $0x300b
DATA idctK<>+252(SB)/4, $0x300b
DATA idctK<>+256(SB)/4, $0xffffe333
DATA idctK<>+260(SB)/4, $0xffffe333
DATA idctK<>+264(SB)/4, $0xffffe333
DATA idctK<>+268(SB)/4, $0xffffe333
DATA idctK<>+272(SB)/4, $0xffffe333
DATA idctK<>+276(SB)/4, $0xffffe333
DATA idctK<>+280(SB)/4, $0xffffe333
DATA idctK<>+284(SB)/4, $0xffffe333
DATA idctK<>+288(SB)/4, $0xffffadfd
DATA idctK<>+292(SB)/4, $0xffffadfd
DATA idctK<>+296(SB)/4, $0xffffadfd
DATA idctK<>+300(SB)/4, $0xffffadfd
DATA idctK<>+304(SB)/4, $0xffffadfd
DATA idctK<>+308(SB)/4, $0xffffadfd
DATA idctK<>+312(SB)/4, $0xffffadfd
DATA idctK<>+316(SB)/4, $0xffffadfd
DATA idctK<>+320(SB)/4, $0xffffc13b
DATA idctK<>+324(SB)/4, $0xffffc13b
DATA idctK<>+328(SB)/4, $0xffffc13b
DATA idctK<>+332(SB)/4, $0xffffc13b
DATA idctK<>+336(SB)/4, $0xffffc13b
DATA idctK<>+340(SB)/4, $0xffffc13b
DATA idctK<>+344(SB)/4, $0xffffc13b
DATA idctK<>+348(SB)/4, $0xffffc13b
DATA idctK<>+352(SB)/4, $0xfffff384
DATA idctK<>+356(SB)/4, $0xfffff384
DATA idctK<>+360(SB)/4, $0xfffff384
DATA idctK<>+364(SB)/4, $0xfffff384
DATA idctK<>+368(SB)/4, $0xfffff384
DATA idctK<>+372(SB)/4, $0xfffff384
DATA idctK<>+376(SB)/4, $0xfffff384
DATA idctK<>+380(SB)/4, $0xfffff384
DATA idctK<>+384(SB)/4, $0x400
DATA idctK<>+388(SB)/4, $0x400
DATA idctK<>+392(SB)/4, $0x400
DATA idctK<>+396(SB)/4, $0x400
DATA idctK<>+400(SB)/4, $0x400
DATA idctK<>+404(SB)/4, $0x400
DATA idctK<>+408(SB)/4, $0x400
DATA idctK<>+412(SB)/4, $0x400
DATA idctK<>+416(SB)/4, $0x20000
DATA idctK<>+420(SB)/4, $0x20000
DATA idctK<>+424(SB)/4, $0x20000
DATA idctK<>+428(SB)/4, $0x20000
DATA idctK<>+432(SB)/4, $0x20000
DATA idctK<>+436(SB)/4, $0x20000
DATA idctK<>+440(SB)/4, $0x20000
DATA idctK<>+444(SB)/4, $0x20000
DATA idctK<>+448(SB)/4, $0x10
DATA idctK<>+452(SB)/4, $0x10
DATA idctK<>+456(SB)/4, $0x10
DATA idctK<>+460(SB)/4, $0x10
DATA idctK<>+464(SB)/4, $0x10
DATA idctK<>+468(SB)/4, $0x10
DATA idctK<>+472(SB)/4, $0x10
DATA idctK<>+476(SB)/4, $0x10
DATA idctK<>+480(SB)/4, $0x80
DATA idctK<>+484(SB)/4, $0x80
DATA idctK<>+488(SB)/4, $0x80
DATA idctK<>+492(SB)/4, $0x80
DATA idctK<>+496(SB)/4, $0x80
DATA idctK<>+500(SB)/4, $0x80
DATA idctK<>+504(SB)/4, $0x80
DATA idctK<>+508(SB)/4, $0x80
DATA idctK<>+512(SB)/4, $0
DATA idctK<>+516(SB)/4, $4
DATA idctK<>+520(SB)/4, $1
DATA idctK<>+524(SB)/4, $5
DATA idctK<>+528(SB)/4, $2
DATA idctK<>+532(SB)/4, $6
DATA idctK<>+536(SB)/4, $3
DATA idctK<>+540(SB)/4, $7
GLOBL idctK<>(SB), RODATA|NOPTR, $544

// idct2x2AVX2 is idct2x2 (draft.go) and then sets b to zero: pass 1 on the eight columns at once
// (lane c = column c; columns 2, 4 and 6 are computed and not used), pass
// 2 on the two rows with their terms 0, 1, 3, 5, 7 gathered into dword
// pairs (row 0, row 1). The int32 wrap-around and the zero-AC shortcuts
// are those of the Go code, bit for bit.
//
// Constants: k2<>+0 the pass-1 products' factors (rows 7, 5, 3, 1),
// +16 the roundings 1<<12, 1<<19 and 16, +28 128.
DATA k2<>+0(SB)/4, $-5906
DATA k2<>+4(SB)/4, $6967
DATA k2<>+8(SB)/4, $-10426
DATA k2<>+12(SB)/4, $29692
DATA k2<>+16(SB)/4, $4096
DATA k2<>+20(SB)/4, $0x80000
DATA k2<>+24(SB)/4, $16
DATA k2<>+28(SB)/4, $128
// +32: pass 2's factors of the dword pairs (A0, A1 | A4, A5) and
// (A2, A3 | A6, A7): 0, c(1) | 0, c(5) and 0, c(3) | 0, c(7).
DATA k2<>+32(SB)/4, $0
DATA k2<>+36(SB)/4, $0
DATA k2<>+40(SB)/4, $29692
DATA k2<>+44(SB)/4, $29692
DATA k2<>+48(SB)/4, $0
DATA k2<>+52(SB)/4, $0
DATA k2<>+56(SB)/4, $6967
DATA k2<>+60(SB)/4, $6967
DATA k2<>+64(SB)/4, $0
DATA k2<>+68(SB)/4, $0
DATA k2<>+72(SB)/4, $-10426
DATA k2<>+76(SB)/4, $-10426
DATA k2<>+80(SB)/4, $0
DATA k2<>+84(SB)/4, $0
DATA k2<>+88(SB)/4, $-5906
DATA k2<>+92(SB)/4, $-5906
GLOBL k2<>(SB), RODATA|NOPTR, $96

// func idct2x2AVX2(b *block, dst *byte, stride int)
TEXT ·idct2x2AVX2(SB), NOSPLIT, $0-24
	MOVQ b+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ stride+16(FP), DX
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 96(SI), Y3
	VMOVDQU 160(SI), Y5
	VMOVDQU 224(SI), Y7
	VPXOR Y13, Y13, Y13
	VMOVDQU Y13, 0(SI)
	VMOVDQU Y13, 32(SI)
	VMOVDQU Y13, 64(SI)
	VMOVDQU Y13, 96(SI)
	VMOVDQU Y13, 128(SI)
	VMOVDQU Y13, 160(SI)
	VMOVDQU Y13, 192(SI)
	VMOVDQU Y13, 224(SI)

	// Pass 1. Y14: lanes whose rows 1, 3, 5, 7 are zero; Y15 their
	// value, dc << 2.
	VPOR Y1, Y3, Y14
	VPOR Y5, Y14, Y14
	VPOR Y7, Y14, Y14
	VPCMPEQD Y13, Y14, Y14
	VPSLLD $2, Y0, Y15
	VPBROADCASTD k2<>+0(SB), Y8
	VPBROADCASTD k2<>+4(SB), Y9
	VPBROADCASTD k2<>+8(SB), Y10
	VPBROADCASTD k2<>+12(SB), Y11
	VPMULLD Y8, Y7, Y7
	VPMULLD Y9, Y5, Y5
	VPMULLD Y10, Y3, Y3
	VPMULLD Y11, Y1, Y1
	VPADDD Y5, Y7, Y7
	VPADDD Y1, Y3, Y3
	VPADDD Y3, Y7, Y7              // tmp0
	VPSLLD $15, Y0, Y0             // tmp10
	VPBROADCASTD k2<>+16(SB), Y12
	VPADDD Y12, Y0, Y0
	VPADDD Y7, Y0, Y1
	VPSUBD Y7, Y0, Y2
	VPSRAD $13, Y1, Y1
	VPSRAD $13, Y2, Y2
	VPBLENDVB Y14, Y15, Y1, Y1     // ws row 0
	VPBLENDVB Y14, Y15, Y2, Y2     // ws row 1

	// Pass 2. Y3 = (A0, A1 | A4, A5), Y4 = (A2, A3 | A6, A7), Ac the
	// pair (row 0, row 1) of column c.
	VPUNPCKLDQ Y2, Y1, Y3
	VPUNPCKHDQ Y2, Y1, Y4
	VMOVDQU k2<>+32(SB), Y8
	VMOVDQU k2<>+64(SB), Y9
	VPMULLD Y8, Y3, Y5
	VPMULLD Y9, Y4, Y6
	VPADDD Y6, Y5, Y5
	VEXTRACTI128 $1, Y5, X6
	VPADDD X6, X5, X5
	VPSRLDQ $8, X5, X5             // tmp0 (row 0, row 1, 0, 0)
	// X6: dwords 0, 1 zero when the row's terms 1, 3, 5, 7 are.
	VPBLENDD $0x33, Y13, Y3, Y6    // (0, A1 | 0, A5)
	VPBLENDD $0x33, Y13, Y4, Y7    // (0, A3 | 0, A7)
	VPOR Y7, Y6, Y6
	VEXTRACTI128 $1, Y6, X7
	VPOR X7, X6, X6
	VPSRLDQ $8, X6, X6
	VPCMPEQD X13, X6, X6
	VPUNPCKLDQ X6, X6, X6          // shortcut mask (r0, r0, r1, r1)
	VPBROADCASTD k2<>+24(SB), X7
	VPADDD X7, X3, X7
	VPSRAD $5, X7, X7
	VPUNPCKLDQ X7, X7, X7          // shortcut (w0+16)>>5, (r0, r0, r1, r1)
	VPSLLD $15, X3, X3             // tmp10 (row 0, row 1, …)
	VPBROADCASTD k2<>+20(SB), X8
	VPADDD X8, X3, X3
	VPADDD X5, X3, X8
	VPSUBD X5, X3, X9
	VPUNPCKLDQ X9, X8, X8          // (r0+, r0−, r1+, r1−)
	VPSRAD $20, X8, X8
	VPBLENDVB X6, X7, X8, X8

	// Range limit as idctAVX2's; row 0 then row 1, two bytes each.
	VPSLLD $22, X8, X8
	VPSRAD $22, X8, X8
	VPBROADCASTD k2<>+28(SB), X9
	VPADDD X9, X8, X8
	VPACKSSDW X8, X8, X8
	VPACKUSWB X8, X8, X8
	VMOVD X8, AX
	MOVW AX, (DI)
	SHRL $16, AX
	MOVW AX, (DI)(DX*1)
	VZEROUPPER
	RET
