package preprocess

import (
	"fmt"
	"image"
	"io"
	"math"
)

// Pixels runs the recipe on img and writes the normalized tensor to dst
// [C, H, W]. img is usually the *Decoded from Decode (its EXIF orientation
// is applied); any other image.Image is used as is.
func (r *Recipe) Pixels(img image.Image, dst []float32) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if n := r.Channels * r.Height * r.Width; len(dst) < n {
		return fmt.Errorf("preprocess: dst has %d values, want %d (%d×%d×%d)", len(dst), n, r.Channels, r.Height, r.Width)
	}
	src, o, info := img, 1, srcInfo{}
	job := pixelJob{lim: Limits{}.resolve()}
	if d, ok := img.(*Decoded); ok {
		src, o = d.Raw, d.Orientation
		info = srcInfo{clipGray16: d.clipGray16, webp: d.Format == "webp"}
		job = pixelJob{name: d.name, format: d.Format, used: d.used, lim: d.lim}
	}
	rs, err := newSource(src, r.Channels, info, o)
	if err != nil {
		return fmt.Errorf("preprocess: %w", err)
	}
	rs.stop = func() bool { return job.lim.check() != nil }
	return r.fromSource(rs, dst, &job)
}

// pixelJob is what Pixels knows of the image's budget.
type pixelJob struct {
	name, format string
	used         int64 // bytes the decoded image holds
	lim          limits
}

func (j *pixelJob) fail(kind, err error) error {
	return &DecodeError{File: j.name, Format: j.format, Kind: kind, Err: err}
}

// Load decodes one image file and runs the recipe on it, writing dst
// [C, H, W]. Decode errors are *DecodeError values naming the file. With
// lim.Draft, JPEGs much larger than the recipe's resize size decode
// scaled (see Limits.Draft).
func (r *Recipe) Load(name string, rd io.Reader, lim Limits, dst []float32) error {
	if lim.Draft && r.Validate() == nil {
		lim.draftTo = r.resizeSize
	}
	img, err := Decode(name, rd, lim)
	if err != nil {
		return err
	}
	if err := r.Pixels(img, dst); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// resizeSize is the size the resize step produces for a w×h input.
func (r *Recipe) resizeSize(w, h int) (rw, rh int) {
	switch r.Resize {
	case ResizeExact:
		return r.ResizeWidth, r.ResizeHeight
	case ResizeShortest:
		s := r.ResizeHeight
		if w <= h {
			return s, int(float64(s) * float64(h) / float64(w))
		}
		return int(float64(s) * float64(w) / float64(h)), s
	case ResizeKeepRatio:
		rh := float64(h) / float64(r.ResizeHeight)
		rw := float64(w) / float64(r.ResizeWidth)
		hi, lo := max(rh, rw), min(rh, rw)
		ratio := float64(hi*r.Longest) + float64(lo*(1-r.Longest))
		return int(math.RoundToEven(float64(w) / ratio)), int(math.RoundToEven(float64(h) / ratio))
	}
	return w, h
}

// cropOffset is where the crop window of size n starts in an input of
// size in (negative: padding before).
func (r *Recipe) cropOffset(in, n int) int {
	switch r.Crop {
	case CropHF:
		d := in - n
		if d < 0 {
			return -((-d + 1) / 2) // floor(d / 2)
		}
		return d / 2
	case CropTorch:
		if n > in {
			return -((n - in) / 2)
		}
		return roundHalfEvenHalf(in - n)
	}
	return 0
}

// roundHalfEvenHalf is int(round(d / 2.0)) with Python's rounding.
func roundHalfEvenHalf(d int) int {
	q := d / 2
	if d%2 == 1 && q%2 == 1 {
		q++
	}
	return q
}

// fromSource resizes, crops, rescales and normalizes ras into dst [C, H, W].
func (r *Recipe) fromSource(ras *rowSource, dst []float32, job *pixelJob) error {
	iw, ih := ras.size()
	rw, rh := r.resizeSize(iw, ih)
	if rw < 1 || rh < 1 || rw > 1<<26 || rh > 1<<26 {
		return fmt.Errorf("preprocess: %d×%d image resizes to %d×%d", iw, ih, rw, rh)
	}
	H, W, C := r.Height, r.Width, r.Channels
	top, left := 0, 0
	if r.Crop != CropNone {
		top, left = r.cropOffset(rh, H), r.cropOffset(rw, W)
	} else if rw != W || rh != H {
		return fmt.Errorf("preprocess: resize gives %d×%d, want %d×%d", rw, rh, W, H)
	}
	// Only the part of the resized image inside the crop window is
	// computed: each output pixel depends on its own coefficients only.
	y0, y1 := max(top, 0), min(top+H, rh)
	x0, x1 := max(left, 0), min(left+W, rw)
	var part *raster
	if y1 > y0 && x1 > x0 {
		need := resizeNeed(ras, rw, rh, r.Filter, x0, x1, y0, y1)
		if job.used+need > job.lim.maxMemory {
			return job.fail(ErrOverBudget, &BudgetError{
				What: fmt.Sprintf("resizing %d×%d to %d×%d", iw, ih, rw, rh), Need: job.used + need, Limit: job.lim.maxMemory})
		}
		part = resizeWindow(ras, rw, rh, r.Filter, x0, x1, y0, y1)
		if part == nil {
			return job.fail(ErrCanceled, job.lim.check())
		}
	}

	lut := r.lut()
	for c := 0; c < C; c++ {
		plane := dst[c*H*W : (c+1)*H*W]
		l := &lut[c]
		fill := l[0]
		if r.Fill != nil {
			fill = l[r.Fill[c]]
		}
		for y := 0; y < H; y++ {
			row := plane[y*W : (y+1)*W]
			sy := y + top
			if part == nil || sy < y0 || sy >= y1 {
				for x := range row {
					row[x] = fill
				}
				continue
			}
			for x := 0; x < x0-left; x++ {
				row[x] = fill
			}
			src := part.pix[(sy-y0)*part.w*C:]
			for x := x0 - left; x < x1-left; x++ {
				row[x] = l[src[(x+left-x0)*C+c]]
			}
			for x := max(x1-left, 0); x < W; x++ {
				row[x] = fill
			}
		}
	}
	return nil
}

// lut maps each uint8 value to its final float32 per channel, with the
// exact arithmetic of the reference: HF rescales x·scale in float64 then
// rounds to float32; torchvision divides in float32; both then compute
// (v − mean) / std in float32.
func (r *Recipe) lut() [][256]float32 {
	out := make([][256]float32, r.Channels) // [C, 256]
	for c := range out {
		for i := 0; i < 256; i++ {
			var v float32
			switch {
			case r.Divide != 0:
				v = float32(i) / r.Divide
			case r.Rescale != 0:
				v = float32(float64(i) * r.Rescale)
			default:
				v = float32(i)
			}
			if r.Mean != nil {
				v = (v - r.Mean[c]) / r.Std[c]
			}
			out[c][i] = v
		}
	}
	return out
}
