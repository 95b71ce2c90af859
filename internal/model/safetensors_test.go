package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"unsafe"

	"github.com/vitgo/vit/internal/safetensors"
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

// TestF32View checks that F32 bytes are viewed in place only when aligned,
// and that the misaligned ones are converted with the same values.
func TestF32View(t *testing.T) {
	raw := append([]byte{0, 0, 0, 0, 0}, f32Bytes([]float32{1.5, -2})...)
	if v := f32View(raw[5:]); v != nil {
		t.Fatalf("f32View of a misaligned slice = %v, want nil", v)
	}
	got := make([]float32, 2)
	decode(got, raw[5:], safetensors.F32)
	if got[0] != 1.5 || got[1] != -2 {
		t.Errorf("f32 = %v", got)
	}
	al := f32Bytes([]float32{3, -0.25})
	if v := f32View(al); len(v) != 2 || v[0] != 3 || v[1] != -0.25 || &v[0] != (*float32)(unsafe.Pointer(&al[0])) {
		t.Errorf("f32View of an aligned slice = %v, want [3 -0.25] in place", v)
	}
}
