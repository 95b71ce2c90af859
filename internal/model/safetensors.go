package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

// maxHeader bounds the JSON header of a safetensors file (the reference
// implementation refuses headers above 100 MB too).
const maxHeader = 100 << 20

// dtype is the element type of a stored tensor.
type dtype int

const (
	dtF32 dtype = iota
	dtF16
	dtBF16
)

func (d dtype) String() string { return [...]string{"F32", "F16", "BF16"}[d] }

// size is the number of bytes of one element.
func (d dtype) size() int64 { return [...]int64{4, 2, 2}[d] }

// stTensor describes one tensor of a safetensors file.
type stTensor struct {
	name  string
	dtype dtype
	shape []int
	begin int64 // byte offset into the data section
	end   int64 // exclusive
	file  *stFile
}

// numel is the number of elements.
func (t *stTensor) numel() int { return numel(t.shape) }

// numel is the number of elements of a tensor of the given shape.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// stHeader is a parsed and validated safetensors header.
type stHeader struct {
	tensors  []*stTensor // sorted by begin offset
	metadata map[string]string
	dataLen  int64 // bytes after the header
}

// parseFile validates the 8-byte length, the JSON header and every tensor
// extent of a whole safetensors file b. It is what FuzzHeader exercises.
func parseFile(b []byte) (*stHeader, error) {
	n, err := headerLen(b, int64(len(b)))
	if err != nil {
		return nil, err
	}
	return parseHeader(b[8:8+n], int64(len(b))-8-n)
}

// headerLen reads the header length from the first 8 bytes of a file of
// size bytes and checks it against the file size and maxHeader.
func headerLen(prefix []byte, size int64) (int64, error) {
	if size < 8 || len(prefix) < 8 {
		return 0, fmt.Errorf("truncated file: %d bytes, need at least 8 for the header length", size)
	}
	u := binary.LittleEndian.Uint64(prefix)
	if u > maxHeader {
		return 0, fmt.Errorf("header length %d exceeds the %d-byte limit", u, maxHeader)
	}
	n := int64(u)
	if n > size-8 {
		return 0, fmt.Errorf("header length %d runs past the end of the file (%d bytes)", n, size)
	}
	if n < 2 {
		return 0, fmt.Errorf("header length %d is too short for a JSON object", n)
	}
	return n, nil
}

// rawTensor is one header entry as written in the JSON.
type rawTensor struct {
	DType       string    `json:"dtype"`
	Shape       []int64   `json:"shape"`
	DataOffsets [2]uint64 `json:"data_offsets"`
}

// parseHeader validates the JSON header hdr of a file whose data section
// holds dataLen bytes: known dtypes, shape×dtype = byte length, offsets in
// range, and tensors tiling the data section without gaps or overlaps.
func parseHeader(hdr []byte, dataLen int64) (*stHeader, error) {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("header: not a JSON object")
	}
	h := &stHeader{dataLen: dataLen}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, fmt.Errorf("header: duplicate key %q", name)
		}
		seen[name] = true
		if name == "__metadata__" {
			if err := dec.Decode(&h.metadata); err != nil {
				return nil, fmt.Errorf("header: __metadata__: %w", err)
			}
			continue
		}
		var rt rawTensor
		if err := dec.Decode(&rt); err != nil {
			return nil, fmt.Errorf("header: tensor %q: %w", name, err)
		}
		t, err := checkTensor(name, &rt, dataLen)
		if err != nil {
			return nil, fmt.Errorf("header: tensor %q: %w", name, err)
		}
		h.tensors = append(h.tensors, t)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if rest := strings.TrimRight(string(hdr[dec.InputOffset():]), " \t\r\n\x00"); rest != "" {
		return nil, fmt.Errorf("header: %d bytes of trailing data after the JSON object", len(rest))
	}
	sort.Slice(h.tensors, func(i, j int) bool {
		a, b := h.tensors[i], h.tensors[j]
		if a.begin != b.begin {
			return a.begin < b.begin
		}
		return a.end < b.end
	})
	var at int64
	var prev string
	for _, t := range h.tensors {
		switch {
		case t.begin < at:
			return nil, fmt.Errorf("header: tensor %q [%d, %d) overlaps tensor %q ending at %d", t.name, t.begin, t.end, prev, at)
		case t.begin > at:
			return nil, fmt.Errorf("header: gap of %d bytes before tensor %q at offset %d", t.begin-at, t.name, t.begin)
		}
		at, prev = t.end, t.name
	}
	if at != dataLen {
		return nil, fmt.Errorf("header: tensors cover %d bytes of a %d-byte data section", at, dataLen)
	}
	return h, nil
}

func checkTensor(name string, rt *rawTensor, dataLen int64) (*stTensor, error) {
	t := &stTensor{name: name}
	switch rt.DType {
	case "F32":
		t.dtype = dtF32
	case "F16":
		t.dtype = dtF16
	case "BF16":
		t.dtype = dtBF16
	case "":
		return nil, errors.New("missing dtype")
	default:
		return nil, fmt.Errorf("unsupported dtype %q (want F32, F16 or BF16)", rt.DType)
	}
	if rt.Shape == nil {
		return nil, errors.New("missing shape")
	}
	bytes := t.dtype.size()
	for _, d := range rt.Shape {
		if d < 0 {
			return nil, fmt.Errorf("negative dimension in shape %v", rt.Shape)
		}
		if d != 0 && bytes > math.MaxInt64/d {
			return nil, fmt.Errorf("shape %v overflows", rt.Shape)
		}
		bytes *= d
		t.shape = append(t.shape, int(d))
	}
	b, e := rt.DataOffsets[0], rt.DataOffsets[1]
	if b > e {
		return nil, fmt.Errorf("data_offsets [%d, %d] are reversed", b, e)
	}
	if e > uint64(dataLen) {
		return nil, fmt.Errorf("data_offsets [%d, %d] run past the %d-byte data section", b, e, dataLen)
	}
	t.begin, t.end = int64(b), int64(e)
	if t.end-t.begin != bytes {
		return nil, fmt.Errorf("shape %v of %s needs %d bytes, data_offsets [%d, %d] hold %d", rt.Shape, rt.DType, bytes, b, e, e-b)
	}
	return t, nil
}

// shapeString formats a shape as [a b c].
func shapeString(s []int) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, d := range s {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(strconv.Itoa(d))
	}
	sb.WriteByte(']')
	return sb.String()
}

// decode converts src (little-endian elements of type dt) to float32 into
// dst; len(dst) elements are read.
func decode(dst []float32, src []byte, dt dtype) {
	switch dt {
	case dtF32:
		if nativeLE {
			copy(dst, unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(src))), len(dst)))
			return
		}
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case dtF16:
		for i := range dst {
			dst[i] = f16to32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case dtBF16:
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
		}
	}
}

// f32View returns src as float32s without copying when the host is
// little-endian and src is 4-byte aligned, else nil.
func f32View(src []byte) []float32 {
	if !nativeLE || len(src) < 4 || uintptr(unsafe.Pointer(unsafe.SliceData(src)))%4 != 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(src))), len(src)/4)
}

var nativeLE = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// f16to32 converts an IEEE 754 half-precision value to float32 exactly.
func f16to32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf, NaN
		return math.Float32frombits(sign | 0xff<<23 | man<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
	case man == 0: // ±0
		return math.Float32frombits(sign)
	}
	// subnormal: normalize
	e := uint32(127 - 15 + 1)
	for man&0x400 == 0 {
		man <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
}

// readHeaderFrom reads and validates the header of a safetensors file of
// size bytes from r, allocating no more than the checked header length.
func readHeaderFrom(r io.ReaderAt, size int64) (*stHeader, int64, error) {
	var pre [8]byte
	if size >= 8 {
		if _, err := r.ReadAt(pre[:], 0); err != nil {
			return nil, 0, err
		}
	}
	n, err := headerLen(pre[:], size)
	if err != nil {
		return nil, 0, err
	}
	hdr := make([]byte, n)
	if _, err := r.ReadAt(hdr, 8); err != nil {
		return nil, 0, err
	}
	h, err := parseHeader(hdr, size-8-n)
	return h, 8 + n, err
}
