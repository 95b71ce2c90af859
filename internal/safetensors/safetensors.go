package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"unsafe"
)

// MaxHeader bounds the JSON header of a file (the reference implementation
// refuses headers above 100 MB too).
const MaxHeader = 100 << 20

// DType is the element type of a stored tensor.
type DType int

// The element types the package reads.
const (
	F32 DType = iota
	F16
	BF16
	U8
	I64
)

var dtypeNames = [...]string{"F32", "F16", "BF16", "U8", "I64"}

func (d DType) String() string {
	if d < 0 || int(d) >= len(dtypeNames) {
		return fmt.Sprintf("DType(%d)", int(d))
	}
	return dtypeNames[d]
}

// Size is the number of bytes of one element.
func (d DType) Size() int64 { return [...]int64{4, 2, 2, 1, 8}[d] }

// IsFloat reports whether Decode converts d.
func (d DType) IsFloat() bool { return d == F32 || d == F16 || d == BF16 }

// Tensor is one tensor of a file.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Begin int64  // byte offset of the first element in the data section
	End   int64  // exclusive; End-Begin = Numel()·DType.Size()
	Data  []byte // [End-Begin] the stored bytes; nil when only the header was read
}

// Numel is the number of elements.
func (t *Tensor) Numel() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Float32s converts the stored elements of an F32, F16 or BF16 tensor to
// a new []float32 [Numel()].
func (t *Tensor) Float32s() ([]float32, error) {
	if !t.DType.IsFloat() {
		return nil, fmt.Errorf("tensor %q: dtype %s is not a float type", t.Name, t.DType)
	}
	if t.Data == nil && t.End > t.Begin {
		return nil, fmt.Errorf("tensor %q: no data (only the header was read)", t.Name)
	}
	v := make([]float32, t.Numel())
	if err := Decode(v, t.Data, t.DType); err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	return v, nil
}

// DTypeError is the error, wrapped with the header's context, for a tensor
// whose dtype the package does not read.
type DTypeError struct {
	Tensor string // its name
	DType  string // as written in the header
}

func (e *DTypeError) Error() string {
	return fmt.Sprintf("unsupported dtype %q (want F32, F16, BF16, U8 or I64)", e.DType)
}

// File is a parsed and validated safetensors file.
type File struct {
	Metadata  map[string]string // "__metadata__", nil when absent
	DataStart int64             // offset of the data section in the file: 8 + header length
	DataLen   int64             // bytes of the data section
	tensors   []*Tensor         // sorted by Begin
}

// Tensors returns the tensors ordered by their offsets in the data section.
func (f *File) Tensors() []*Tensor { return f.tensors }

// Parse validates the whole file b and returns its tensors, whose Data
// slices alias b.
func Parse(b []byte) (*File, error) {
	n, err := HeaderLen(b, int64(len(b)))
	if err != nil {
		return nil, err
	}
	f, err := parseHeader(b[8:8+n], int64(len(b))-8-n)
	if err != nil {
		return nil, err
	}
	f.attach(b)
	return f, nil
}

// Open reads and validates the file at path. The header is checked before
// the rest of the file is read.
func Open(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size > math.MaxInt {
		return nil, fmt.Errorf("%s: %d bytes do not fit in memory", path, size)
	}
	f, err := ReadHeader(fh, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b := make([]byte, size) // [size] the file, its size known and its header valid
	if _, err := fh.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.attach(b)
	return f, nil
}

// attach points each tensor's Data into the whole file b.
func (f *File) attach(b []byte) {
	data := b[f.DataStart:]
	for _, t := range f.tensors {
		t.Data = data[t.Begin:t.End:t.End]
	}
}

// ReadHeader reads and validates the header of a file of size bytes from
// r, allocating no more than the checked header length. The tensors' Data
// are nil.
func ReadHeader(r io.ReaderAt, size int64) (*File, error) {
	var pre [8]byte
	if size >= 8 {
		if _, err := r.ReadAt(pre[:], 0); err != nil {
			return nil, err
		}
	}
	n, err := HeaderLen(pre[:], size)
	if err != nil {
		return nil, err
	}
	hdr := make([]byte, n) // [n] checked against size and MaxHeader
	if _, err := r.ReadAt(hdr, 8); err != nil {
		return nil, err
	}
	return parseHeader(hdr, size-8-n)
}

// HeaderLen reads the header length from the first 8 bytes of a file of
// size bytes and checks it against the file size and MaxHeader.
func HeaderLen(prefix []byte, size int64) (int64, error) {
	if size < 8 || len(prefix) < 8 {
		return 0, fmt.Errorf("truncated file: %d bytes, need at least 8 for the header length", size)
	}
	u := binary.LittleEndian.Uint64(prefix)
	if u > MaxHeader {
		return 0, fmt.Errorf("header length %d exceeds the %d-byte limit", u, MaxHeader)
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
func parseHeader(hdr []byte, dataLen int64) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("header: not a JSON object")
	}
	f := &File{DataStart: 8 + int64(len(hdr)), DataLen: dataLen}
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
			if err := dec.Decode(&f.Metadata); err != nil {
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
		f.tensors = append(f.tensors, t)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if rest := strings.TrimRight(string(hdr[dec.InputOffset():]), " \t\r\n\x00"); rest != "" {
		return nil, fmt.Errorf("header: %d bytes of trailing data after the JSON object", len(rest))
	}
	sort.Slice(f.tensors, func(i, j int) bool {
		a, b := f.tensors[i], f.tensors[j]
		if a.Begin != b.Begin {
			return a.Begin < b.Begin
		}
		return a.End < b.End
	})
	var at int64
	var prev string
	for _, t := range f.tensors {
		switch {
		case t.Begin < at:
			return nil, fmt.Errorf("header: tensor %q [%d, %d) overlaps tensor %q ending at %d", t.Name, t.Begin, t.End, prev, at)
		case t.Begin > at:
			return nil, fmt.Errorf("header: gap of %d bytes before tensor %q at offset %d", t.Begin-at, t.Name, t.Begin)
		}
		at, prev = t.End, t.Name
	}
	if at != dataLen {
		return nil, fmt.Errorf("header: tensors cover %d bytes of a %d-byte data section", at, dataLen)
	}
	return f, nil
}

func checkTensor(name string, rt *rawTensor, dataLen int64) (*Tensor, error) {
	t := &Tensor{Name: name}
	switch rt.DType {
	case "F32":
		t.DType = F32
	case "F16":
		t.DType = F16
	case "BF16":
		t.DType = BF16
	case "U8":
		t.DType = U8
	case "I64":
		t.DType = I64
	case "":
		return nil, errors.New("missing dtype")
	default:
		return nil, &DTypeError{Tensor: name, DType: rt.DType}
	}
	if rt.Shape == nil {
		return nil, errors.New("missing shape")
	}
	size := t.DType.Size()
	t.Shape = make([]int, 0, len(rt.Shape))
	for _, d := range rt.Shape {
		if d < 0 {
			return nil, fmt.Errorf("negative dimension in shape %v", rt.Shape)
		}
		if d != 0 && size > math.MaxInt64/d {
			return nil, fmt.Errorf("shape %v overflows", rt.Shape)
		}
		size *= d
		t.Shape = append(t.Shape, int(d))
	}
	b, e := rt.DataOffsets[0], rt.DataOffsets[1]
	if b > e {
		return nil, fmt.Errorf("data_offsets [%d, %d] are reversed", b, e)
	}
	if e > uint64(dataLen) {
		return nil, fmt.Errorf("data_offsets [%d, %d] run past the %d-byte data section", b, e, dataLen)
	}
	t.Begin, t.End = int64(b), int64(e)
	if t.End-t.Begin != size {
		return nil, fmt.Errorf("shape %v of %s needs %d bytes, data_offsets [%d, %d] hold %d", rt.Shape, rt.DType, size, b, e, e-b)
	}
	return t, nil
}

// Decode converts src (little-endian elements of type dt, at least
// len(dst) of them) to float32 into dst [n].
func Decode(dst []float32, src []byte, dt DType) error {
	if !dt.IsFloat() {
		return fmt.Errorf("dtype %s is not a float type", dt)
	}
	if need := int64(len(dst)) * dt.Size(); int64(len(src)) < need {
		return fmt.Errorf("%d bytes of %s, need %d for %d elements", len(src), dt, need, len(dst))
	}
	switch dt {
	case F32:
		if nativeLE && len(dst) > 0 {
			copy(dst, unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(src))), len(dst)))
			return nil
		}
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case F16:
		for i := range dst {
			dst[i] = f16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case BF16:
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
		}
	}
	return nil
}

// nativeLE reports whether the host is little-endian.
var nativeLE = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// f16ToF32 converts an IEEE 754 half-precision value to float32 exactly.
func f16ToF32(h uint16) float32 {
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
