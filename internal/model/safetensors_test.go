package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// stEntry is one tensor to write: F32 values unless raw is set.
type stEntry struct {
	name  string
	dtype string
	shape []int
	raw   []byte
}

// encodeST writes a safetensors file with the entries in order.
func encodeST(es []stEntry) []byte {
	var hdr bytes.Buffer
	hdr.WriteByte('{')
	var data []byte
	for i, e := range es {
		if i > 0 {
			hdr.WriteByte(',')
		}
		sh, _ := json.Marshal(e.shape)
		fmt.Fprintf(&hdr, `%q:{"dtype":%q,"shape":%s,"data_offsets":[%d,%d]}`, e.name, e.dtype, sh, len(data), len(data)+len(e.raw))
		data = append(data, e.raw...)
	}
	hdr.WriteByte('}')
	for hdr.Len()%8 != 0 {
		hdr.WriteByte(' ')
	}
	return rawST(hdr.Bytes(), data)
}

// rawST joins a header and a data section.
func rawST(hdr, data []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	return append(append(out, hdr...), data...)
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func TestParseHeaderErrors(t *testing.T) {
	ok := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "truncated file: 0 bytes"},
		{"short", []byte{1, 2, 3}, "truncated file: 3 bytes"},
		{"header past EOF", append(binary.LittleEndian.AppendUint64(nil, 64), "{}"...), "header length 64 runs past the end of the file (10 bytes)"},
		{"huge header", binary.LittleEndian.AppendUint64(nil, 1<<62), "exceeds the 104857600-byte limit"},
		{"tiny header", rawST([]byte("{"), nil), "too short for a JSON object"},
		{"not JSON", rawST([]byte("[1,2]   "), nil), "header: not a JSON object"},
		{"bad JSON", rawST([]byte(`{"a":}  `), nil), `header: tensor "a": invalid character '}'`},
		{"unknown dtype", rawST([]byte(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`), make([]byte, 8)), `tensor "a": unsupported dtype "F64" (want F32, F16 or BF16)`},
		{"missing dtype", rawST([]byte(`{"a":{"shape":[1],"data_offsets":[0,4]}}`), make([]byte, 4)), `tensor "a": missing dtype`},
		{"shape vs bytes", rawST([]byte(`{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}}`), make([]byte, 8)), `tensor "a": shape [2 2] of F32 needs 16 bytes, data_offsets [0, 8] hold 8`},
		{"negative dim", rawST([]byte(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`), make([]byte, 4)), `negative dimension in shape [-1]`},
		{"overflowing shape", rawST([]byte(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}`), make([]byte, 4)), `shape [4294967296 4294967296] overflows`},
		{"offset past data", rawST([]byte(ok), make([]byte, 4)), `tensor "a": data_offsets [0, 8] run past the 4-byte data section`},
		{"reversed offsets", rawST([]byte(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`), make([]byte, 8)), `data_offsets [8, 0] are reversed`},
		{"overlap", rawST([]byte(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`), make([]byte, 12)), `tensor "b" [4, 12) overlaps tensor "a" ending at 8`},
		{"gap", rawST([]byte(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`), make([]byte, 12)), `gap of 4 bytes before tensor "b" at offset 8`},
		{"uncovered tail", rawST([]byte(ok), make([]byte, 12)), `tensors cover 8 bytes of a 12-byte data section`},
		{"duplicate key", rawST([]byte(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`), make([]byte, 8)), `duplicate key "a"`},
		{"trailing JSON", rawST([]byte(ok+`{}`), make([]byte, 8)), `bytes of trailing data after the JSON object`},
		{"bad metadata", rawST([]byte(`{"__metadata__":{"a":1}}`), nil), `__metadata__`},
	}
	for _, c := range cases {
		_, err := parseFile(c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := parseFile(rawST([]byte(ok), make([]byte, 8))); err != nil {
		t.Errorf("valid file: %v", err)
	}
}

func TestDecode(t *testing.T) {
	// F16: 1, -2, 65504 (max), 2^-24 (smallest subnormal), -0, +Inf.
	f16 := []uint16{0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x0200}
	want := []float32{1, -2, 65504, float32(math.Ldexp(1, -24)), float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Ldexp(1, -15))}
	b := make([]byte, 2*len(f16))
	for i, h := range f16 {
		binary.LittleEndian.PutUint16(b[2*i:], h)
	}
	got := make([]float32, len(f16))
	decode(got, b, dtF16)
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("f16 %#04x = %g, want %g", f16[i], got[i], want[i])
		}
	}
	// BF16 is the top half of a float32.
	bf := binary.LittleEndian.AppendUint16(nil, uint16(math.Float32bits(-3.5)>>16))
	decode(got[:1], bf, dtBF16)
	if got[0] != -3.5 {
		t.Errorf("bf16 = %g, want -3.5", got[0])
	}
	// Misaligned F32 goes through the copying path.
	raw := append([]byte{0}, f32Bytes([]float32{1.5, -2})...)
	if v := f32View(raw[1:]); v != nil {
		t.Errorf("f32View of a misaligned slice = %v, want nil", v)
	}
	decode(got[:2], raw[1:], dtF32)
	if got[0] != 1.5 || got[1] != -2 {
		t.Errorf("f32 = %v", got[:2])
	}
}

// FuzzHeader feeds arbitrary files to the parser: it must return an error
// or a header whose tensors all lie inside the file, never panic.
func FuzzHeader(f *testing.F) {
	f.Add(rawST([]byte(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`), make([]byte, 8)))
	f.Add(rawST([]byte(`{"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[1,3],"data_offsets":[0,6]}}`), make([]byte, 6)))
	f.Add(encodeST([]stEntry{
		{name: "x", dtype: "F16", shape: []int{2, 1}, raw: []byte{0, 0x3c, 0, 0xc0}},
		{name: "y", dtype: "F32", shape: []int{0, 5}},
		{name: "z", dtype: "F32", shape: []int{1}, raw: f32Bytes([]float32{2})},
	}))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseFile(b)
		if err != nil {
			return
		}
		var total int64
		for _, st := range h.tensors {
			if st.begin < 0 || st.end > h.dataLen || st.end-st.begin != int64(st.numel())*st.dtype.size() {
				t.Fatalf("tensor %q [%d, %d) invalid in %d bytes", st.name, st.begin, st.end, h.dataLen)
			}
			total += st.end - st.begin
			data := b[int64(len(b))-h.dataLen:]
			v := make([]float32, st.numel())
			decode(v, data[st.begin:st.end], st.dtype)
		}
		if total != h.dataLen {
			t.Fatalf("tensors cover %d of %d bytes", total, h.dataLen)
		}
	})
}
