package model

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unsafe"

	"github.com/vitgo/vit/internal/safetensors"
)

// stTensor describes one tensor of a safetensors file.
type stTensor struct {
	name  string
	dtype safetensors.DType // F32, F16 or BF16
	shape []int
	begin int64 // byte offset into the data section
	end   int64 // exclusive
	file  *stFile
	// cols, when cols[1] > 0, selects columns [cols[0], cols[1]) of the
	// stored [rows, n] matrix (shape is then the selection's); the bytes
	// are the whole tensor's and materialize copies the columns out.
	cols [2]int
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

// stHeader is a parsed and validated safetensors header whose tensors are
// all of a float type.
type stHeader struct {
	tensors []*stTensor // sorted by begin offset
	dataLen int64       // bytes after the header
}

// parseFile validates a whole safetensors file b.
func parseFile(b []byte) (*stHeader, error) {
	f, err := safetensors.Parse(b)
	if err != nil {
		return nil, floatOnly(err)
	}
	return newHeader(f)
}

// readHeaderFrom reads and validates the header of a safetensors file of
// size bytes from r, allocating no more than the checked header length. It
// returns the offset of the data section.
func readHeaderFrom(r io.ReaderAt, size int64) (*stHeader, int64, error) {
	f, err := safetensors.ReadHeader(r, size)
	if err != nil {
		return nil, 0, floatOnly(err)
	}
	h, err := newHeader(f)
	return h, f.DataStart, err
}

// newHeader keeps the tensors of f, refusing any whose elements are not
// floats (a checkpoint holds weights only), except the integer
// relative_position_index buffers older Hugging Face BEiT checkpoints
// carry, which are dropped as transformers drops them
// (_keys_to_ignore_on_load_unexpected): the index is computed from the
// grid.
func newHeader(f *safetensors.File) (*stHeader, error) {
	h := &stHeader{dataLen: f.DataLen}
	for _, t := range f.Tensors() {
		if t.DType == safetensors.I64 && strings.HasSuffix(t.Name, ".relative_position_index") {
			continue
		}
		if !t.DType.IsFloat() {
			return nil, unsupported(t.Name, t.DType.String())
		}
		h.tensors = append(h.tensors, &stTensor{name: t.Name, dtype: t.DType, shape: t.Shape, begin: t.Begin, end: t.End})
	}
	return h, nil
}

// unsupported is the error for a tensor whose dtype a checkpoint may not
// hold.
func unsupported(tensor, dtype string) error {
	return fmt.Errorf("header: tensor %q: unsupported dtype %q (want F32, F16 or BF16)", tensor, dtype)
}

// floatOnly restates the reader's unknown-dtype error with the dtypes a
// checkpoint may hold.
func floatOnly(err error) error {
	var de *safetensors.DTypeError
	if errors.As(err, &de) {
		return unsupported(de.Tensor, de.DType)
	}
	return err
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
// dst; len(dst) elements are read. newHeader admits only float dtypes and
// the header checks size every tensor's bytes, so Decode cannot fail here.
func decode(dst []float32, src []byte, dt safetensors.DType) {
	if err := safetensors.Decode(dst, src, dt); err != nil {
		panic("model: " + err.Error())
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
