package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// file joins a header and a data section.
func file(hdr string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	return append(append(out, hdr...), data...)
}

func f32Bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func TestParseErrors(t *testing.T) {
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
		{"just over the limit", binary.LittleEndian.AppendUint64(nil, MaxHeader+1), "header length 104857601 exceeds the 104857600-byte limit"},
		{"tiny header", file("{", nil), "too short for a JSON object"},
		{"not JSON", file("[1,2]   ", nil), "header: not a JSON object"},
		{"bad JSON", file(`{"a":}  `, nil), `header: tensor "a": invalid character '}'`},
		{"unclosed object", file(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`, nil), "header: EOF"},
		{"unknown dtype", file(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, make([]byte, 8)), `header: tensor "a": unsupported dtype "F64" (want F32, F16, BF16, U8 or I64)`},
		{"missing dtype", file(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": missing dtype`},
		{"missing shape", file(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": missing shape`},
		{"shape vs bytes", file(`{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}}`, make([]byte, 8)), `tensor "a": shape [2 2] of F32 needs 16 bytes, data_offsets [0, 8] hold 8`},
		{"U8 shape vs bytes", file(`{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": shape [3] of U8 needs 3 bytes, data_offsets [0, 4] hold 4`},
		{"negative dim", file(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)), `negative dimension in shape [-1]`},
		{"overflowing shape", file(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}`, make([]byte, 4)), `shape [4294967296 4294967296] overflows`},
		{"offset past data", file(ok, make([]byte, 4)), `tensor "a": data_offsets [0, 8] run past the 4-byte data section`},
		{"reversed offsets", file(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, make([]byte, 8)), `data_offsets [8, 0] are reversed`},
		{"overlap", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)), `tensor "b" [4, 12) overlaps tensor "a" ending at 8`},
		{"gap", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, make([]byte, 12)), `gap of 4 bytes before tensor "b" at offset 8`},
		{"uncovered tail", file(ok, make([]byte, 12)), `tensors cover 8 bytes of a 12-byte data section`},
		{"duplicate key", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), `duplicate key "a"`},
		{"trailing JSON", file(ok+`{}`, make([]byte, 8)), `bytes of trailing data after the JSON object`},
		{"bad metadata", file(`{"__metadata__":{"a":1}}`, nil), `__metadata__`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Parse: error %v, want it to contain %q", err, c.want)
			}
			// ReadHeader applies the same checks without the data.
			_, err = ReadHeader(bytes.NewReader(c.file), int64(len(c.file)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ReadHeader: error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestDTypeError(t *testing.T) {
	_, err := Parse(file(`{"w":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)))
	var de *DTypeError
	if !errors.As(err, &de) || de.Tensor != "w" || de.DType != "I32" {
		t.Fatalf("error %v, want a DTypeError for tensor w, I32", err)
	}
}

// TestHeaderBudget checks that a header length beyond MaxHeader is refused
// from the 8-byte prefix alone, before anything of that size is read.
func TestHeaderBudget(t *testing.T) {
	r := &countingReader{b: binary.LittleEndian.AppendUint64(nil, MaxHeader+1)}
	if _, err := ReadHeader(r, 1<<40); err == nil || !strings.Contains(err.Error(), "exceeds the 104857600-byte limit") {
		t.Fatalf("error %v, want the header limit", err)
	}
	if r.n != 8 {
		t.Errorf("read %d bytes, want only the 8-byte length", r.n)
	}
}

type countingReader struct {
	b []byte
	n int
}

func (r *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := bytes.NewReader(r.b).ReadAt(p, off)
	r.n += n
	return n, err
}

func TestParse(t *testing.T) {
	hdr := `{"__metadata__":{"format":"pt"},` +
		`"px":{"dtype":"U8","shape":[1,2,3],"data_offsets":[12,18]},` +
		`"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},` +
		`"e":{"dtype":"BF16","shape":[0,4],"data_offsets":[18,18]},` +
		`"h":{"dtype":"F16","shape":[1],"data_offsets":[18,20]}}  `
	data := append(f32Bytes(1, -2.5, 3), 1, 2, 3, 4, 5, 255, 0x00, 0x3c)
	f, err := Parse(file(hdr, data))
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" || f.DataStart != 8+int64(len(hdr)) || f.DataLen != int64(len(data)) {
		t.Errorf("metadata %v, data at %d (+%d), want pt at %d (+%d)", f.Metadata, f.DataStart, f.DataLen, 8+len(hdr), len(data))
	}
	var names []string
	for _, tn := range f.Tensors() {
		names = append(names, tn.Name)
	}
	if got := strings.Join(names, " "); got != "w px e h" {
		t.Fatalf("tensors %q, want them in offset order: w px e h", got)
	}
	ts := f.Tensors()
	if w, err := ts[0].Float32s(); err != nil || len(w) != 3 || w[0] != 1 || w[1] != -2.5 || w[2] != 3 {
		t.Errorf("w = %v, %v, want [1 -2.5 3]", w, err)
	}
	px := ts[1]
	if px.DType != U8 || px.Numel() != 6 || !bytes.Equal(px.Data, []byte{1, 2, 3, 4, 5, 255}) || len(px.Shape) != 3 || px.Shape[2] != 3 {
		t.Errorf("px: %s %v %v", px.DType, px.Shape, px.Data)
	}
	if _, err := px.Float32s(); err == nil || !strings.Contains(err.Error(), `tensor "px": dtype U8 is not a float type`) {
		t.Errorf("U8 Float32s: error %v", err)
	}
	if e, err := ts[2].Float32s(); err != nil || len(e) != 0 {
		t.Errorf("empty BF16 = %v, %v", e, err)
	}
	if h, err := ts[3].Float32s(); err != nil || len(h) != 1 || h[0] != 1 {
		t.Errorf("h = %v, %v, want [1]", h, err)
	}
	// Data must not reach past a tensor's own bytes.
	if cap(ts[0].Data) != 12 {
		t.Errorf("cap(w.Data) = %d, want 12", cap(ts[0].Data))
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	if err := os.WriteFile(good, file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32Bytes(0.5, 4)), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(good)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Tensors()[0].Float32s(); err != nil || len(v) != 2 || v[0] != 0.5 || v[1] != 4 {
		t.Errorf("a = %v, %v", v, err)
	}
	bad := filepath.Join(dir, "bad.safetensors")
	if err := os.WriteFile(bad, []byte{1, 2}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bad); err == nil || !strings.Contains(err.Error(), bad+": truncated file: 2 bytes") {
		t.Errorf("error %v, want it to name the file and the cause", err)
	}
	if _, err := Open(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file: no error")
	}
	// Only the header was read: no data to convert.
	one := file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f32Bytes(1))
	h, err := ReadHeader(bytes.NewReader(one), int64(len(one)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Tensors()[0].Float32s(); err == nil || !strings.Contains(err.Error(), "only the header was read") {
		t.Errorf("Float32s without data: error %v", err)
	}
}

func TestDecode(t *testing.T) {
	// F16: 1, -2, 65504 (max), 2^-24 (smallest subnormal), -0, +Inf, 2^-15.
	f16 := []uint16{0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x0200}
	want := []float32{1, -2, 65504, float32(math.Ldexp(1, -24)), float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Ldexp(1, -15))}
	b := make([]byte, 2*len(f16))
	for i, h := range f16 {
		binary.LittleEndian.PutUint16(b[2*i:], h)
	}
	got := make([]float32, len(f16))
	if err := Decode(got, b, F16); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("f16 %#04x = %g, want %g", f16[i], got[i], want[i])
		}
	}
	if v := f16ToF32(0x7e00); !math.IsNaN(float64(v)) {
		t.Errorf("f16 NaN = %g", v)
	}
	// BF16 is the top half of a float32.
	bf := binary.LittleEndian.AppendUint16(nil, uint16(math.Float32bits(-3.5)>>16))
	if err := Decode(got[:1], bf, BF16); err != nil || got[0] != -3.5 {
		t.Errorf("bf16 = %g, %v, want -3.5", got[0], err)
	}
	// Misaligned F32.
	raw := append([]byte{0}, f32Bytes(1.5, -2)...)
	if err := Decode(got[:2], raw[1:], F32); err != nil || got[0] != 1.5 || got[1] != -2 {
		t.Errorf("f32 = %v, %v", got[:2], err)
	}
	if err := Decode(got[:3], raw[1:], F32); err == nil || !strings.Contains(err.Error(), "8 bytes of F32, need 12 for 3 elements") {
		t.Errorf("short source: error %v", err)
	}
	if err := Decode(got[:1], []byte{1}, U8); err == nil || !strings.Contains(err.Error(), "dtype U8 is not a float type") {
		t.Errorf("U8: error %v", err)
	}
}

// FuzzParse feeds arbitrary files to the parser: it must return an error
// or tensors that lie inside the file and tile its data section, never
// panic.
func FuzzParse(f *testing.F) {
	f.Add(file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(file(`{"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[1,3],"data_offsets":[0,6]}}`, make([]byte, 6)))
	f.Add(file(`{"x":{"dtype":"F16","shape":[2,1],"data_offsets":[0,4]},"y":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]},"z":{"dtype":"U8","shape":[3],"data_offsets":[4,7]}}`, []byte{0, 0x3c, 0, 0xc0, 1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := Parse(b)
		if err != nil {
			return
		}
		var total int64
		for _, st := range h.Tensors() {
			if st.Begin < 0 || st.End > h.DataLen || st.End-st.Begin != int64(st.Numel())*st.DType.Size() || int64(len(st.Data)) != st.End-st.Begin {
				t.Fatalf("tensor %q [%d, %d) invalid in %d bytes", st.Name, st.Begin, st.End, h.DataLen)
			}
			total += st.End - st.Begin
			if st.DType.IsFloat() {
				if _, err := st.Float32s(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if total != h.DataLen || h.DataStart+h.DataLen != int64(len(b)) {
			t.Fatalf("tensors cover %d of %d bytes", total, h.DataLen)
		}
	})
}
