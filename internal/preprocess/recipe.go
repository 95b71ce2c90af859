package preprocess

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Filter is a resampling filter, numbered as PIL numbers them (the numbers
// HF writes in preprocessor_config.json "resample").
type Filter int

// PIL's resampling filters.
const (
	Nearest  Filter = 0
	Lanczos  Filter = 1
	Bilinear Filter = 2
	Bicubic  Filter = 3
	Box      Filter = 4
	Hamming  Filter = 5
)

var filterNames = [...]string{"nearest", "lanczos", "bilinear", "bicubic", "box", "hamming"}

func (f Filter) String() string {
	if f >= 0 && int(f) < len(filterNames) {
		return filterNames[f]
	}
	return fmt.Sprintf("filter(%d)", int(f))
}

// ResizeMode says how the first geometric step picks its output size.
type ResizeMode int

const (
	// ResizeNone keeps the decoded size.
	ResizeNone ResizeMode = iota
	// ResizeExact resizes to ResizeHeight×ResizeWidth, ignoring the aspect
	// ratio (HF size {height,width}; timm crop_mode "squash").
	ResizeExact
	// ResizeShortest resizes the short side to ResizeHeight and the long
	// side to int(ResizeHeight·long/short) (HF size {shortest_edge};
	// torchvision Resize(int), timm crop_mode "center").
	ResizeShortest
	// ResizeKeepRatio is timm's ResizeKeepRatio towards the target
	// ResizeHeight×ResizeWidth: ratio = max(h/th, w/tw)·Longest +
	// min(h/th, w/tw)·(1−Longest), each side round-half-even(side/ratio).
	ResizeKeepRatio
)

// CropMode says how the center crop places its window and pads.
type CropMode int

const (
	// CropNone skips the crop.
	CropNone CropMode = iota
	// CropHF is transformers' center_crop: top = floor((h−ch)/2) (negative
	// when padding), the same rule on the left; padding with Fill.
	CropHF
	// CropTorch is torchvision's center_crop (and timm's CenterCropOrPad):
	// a too-small side is first padded by (ch−h)//2 before and the rest
	// after; otherwise top = int(round((h−ch)/2.0)), round half to even.
	CropTorch
)

// Recipe is how one model wants its pixels: read from the model's own
// configuration (HF preprocessor_config.json or timm pretrained_cfg).
// The steps run in this order: convert to Channels, resize, center crop,
// rescale, normalize.
type Recipe struct {
	Channels int // 1 (convert("L")) or 3 (convert("RGB"))
	Height   int // final input height
	Width    int // final input width

	Resize       ResizeMode
	ResizeHeight int     // target height (ResizeShortest: the short side)
	ResizeWidth  int     // target width (unused by ResizeShortest)
	Longest      float64 // ResizeKeepRatio weight of the longer ratio
	Filter       Filter

	Crop CropMode // window Height×Width
	Fill []uint8  // [Channels] padding value before rescaling; nil: 0

	// Rescale multiplies each uint8 value in float64 and rounds the result
	// to float32 (transformers' rescale). When Divide is non-zero the value
	// is instead divided by Divide in float32 (torchvision ToTensor and the
	// legacy feature extractors).
	Rescale float64
	Divide  float32

	Mean []float32 // [Channels]; nil: no normalization
	Std  []float32 // [Channels]

	Source string // where the recipe came from, for messages
}

// Size returns the final input height and width.
func (r *Recipe) Size() (h, w int) { return r.Height, r.Width }

// String summarises the recipe for logs and errors.
func (r *Recipe) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d×%d×%d", r.Source, r.Channels, r.Height, r.Width)
	switch r.Resize {
	case ResizeExact:
		fmt.Fprintf(&b, ", resize %d×%d %s", r.ResizeHeight, r.ResizeWidth, r.Filter)
	case ResizeShortest:
		fmt.Fprintf(&b, ", resize short side %d %s", r.ResizeHeight, r.Filter)
	case ResizeKeepRatio:
		fmt.Fprintf(&b, ", resize keep ratio %d×%d longest=%g %s", r.ResizeHeight, r.ResizeWidth, r.Longest, r.Filter)
	}
	if r.Crop != CropNone {
		fmt.Fprintf(&b, ", crop %d×%d", r.Height, r.Width)
	}
	if r.Mean != nil {
		fmt.Fprintf(&b, ", mean %v std %v", r.Mean, r.Std)
	}
	return b.String()
}

// MaxSide is the largest input or resize side a recipe may ask for.
const MaxSide = 1 << 16

// Validate checks that the recipe is complete and self-consistent, and
// that its sizes are at most MaxSide.
func (r *Recipe) Validate() error {
	switch {
	case r.Height > MaxSide || r.Width > MaxSide || r.ResizeHeight > MaxSide || r.ResizeWidth > MaxSide:
		return fmt.Errorf("recipe %s: input %d×%d, resize %d×%d: a side exceeds %d", r.Source, r.Height, r.Width, r.ResizeHeight, r.ResizeWidth, MaxSide)
	case r.Channels != 1 && r.Channels != 3:
		return fmt.Errorf("recipe %s: %d channels, want 1 or 3", r.Source, r.Channels)
	case r.Height <= 0 || r.Width <= 0:
		return fmt.Errorf("recipe %s: input size %d×%d", r.Source, r.Height, r.Width)
	case r.Filter < Nearest || r.Filter > Hamming:
		return fmt.Errorf("recipe %s: unknown filter %d", r.Source, int(r.Filter))
	case r.Resize != ResizeNone && (r.ResizeHeight <= 0 || (r.Resize != ResizeShortest && r.ResizeWidth <= 0)):
		return fmt.Errorf("recipe %s: resize size %d×%d", r.Source, r.ResizeHeight, r.ResizeWidth)
	case r.Mean != nil && (len(r.Mean) != r.Channels || len(r.Std) != r.Channels):
		return fmt.Errorf("recipe %s: mean %v and std %v for %d channels", r.Source, r.Mean, r.Std, r.Channels)
	case r.Fill != nil && len(r.Fill) != r.Channels:
		return fmt.Errorf("recipe %s: fill %v for %d channels", r.Source, r.Fill, r.Channels)
	}
	if r.Crop == CropNone {
		switch r.Resize {
		case ResizeExact:
			if r.ResizeHeight != r.Height || r.ResizeWidth != r.Width {
				return fmt.Errorf("recipe %s: resize %d×%d without crop gives no %d×%d input",
					r.Source, r.ResizeHeight, r.ResizeWidth, r.Height, r.Width)
			}
		default:
			return fmt.Errorf("recipe %s: without a center crop the input size depends on the image", r.Source)
		}
	}
	for i, s := range r.Std {
		if s == 0 || s != s {
			return fmt.Errorf("recipe %s: std[%d] = %v", r.Source, i, s)
		}
	}
	return nil
}

// Normalization constants used by the HF and timm defaults.
var (
	imagenetStandardMean = []float64{0.5, 0.5, 0.5}
	imagenetStandardStd  = []float64{0.5, 0.5, 0.5}
	imagenetDefaultMean  = []float64{0.485, 0.456, 0.406}
	imagenetDefaultStd   = []float64{0.229, 0.224, 0.225}
)

// perChannel returns v as float32 with one value per channel, widening a
// single value to c and narrowing three equal values to one.
func perChannel(v []float64, c int) []float64 {
	if c == 1 && len(v) == 3 && v[0] == v[1] && v[1] == v[2] {
		return []float64{v[0]}
	}
	if c != 1 && len(v) == 1 {
		out := make([]float64, c)
		for i := range out {
			out[i] = v[0]
		}
		return out
	}
	return append([]float64(nil), v...)
}

// DefaultHF is the recipe of HF's image processor for modelType ("vit",
// "deit") when a checkpoint has no preprocessor_config.json: the defaults
// of ViTImageProcessor (resize to imageSize² bilinear, mean = std = 0.5)
// or DeiTImageProcessor (resize to (imageSize·8/7)² bicubic, i.e. 256 for
// 224, center crop imageSize², mean = std = 0.5 as in the current class).
// Unknown types get the ViT recipe.
func DefaultHF(modelType string, imageSize, channels int) Recipe {
	if channels != 1 {
		channels = 3
	}
	r := Recipe{
		Channels: channels, Height: imageSize, Width: imageSize,
		Resize: ResizeExact, ResizeHeight: imageSize, ResizeWidth: imageSize,
		Filter:  Bilinear,
		Rescale: 1.0 / 255,
		Mean:    f32s(perChannel(imagenetStandardMean, channels)),
		Std:     f32s(perChannel(imagenetStandardStd, channels)),
		Source:  "HF ViTImageProcessor defaults",
	}
	if strings.EqualFold(modelType, "deit") {
		// DeiTImageProcessor: size 256, crop 224; scaled for other sizes.
		rs := imageSize * 256 / 224
		r.ResizeHeight, r.ResizeWidth = rs, rs
		r.Filter = Bicubic
		r.Crop = CropHF
		r.Source = "HF DeiTImageProcessor defaults"
	}
	return r
}

// hfConfig is the part of preprocessor_config.json that changes pixels.
type hfConfig struct {
	ImageProcessorType   string          `json:"image_processor_type"`
	FeatureExtractorType string          `json:"feature_extractor_type"`
	DoResize             *bool           `json:"do_resize"`
	Size                 json.RawMessage `json:"size"`
	Resample             *int            `json:"resample"`
	DoCenterCrop         *bool           `json:"do_center_crop"`
	CropSize             json.RawMessage `json:"crop_size"`
	DoRescale            *bool           `json:"do_rescale"`
	RescaleFactor        *float64        `json:"rescale_factor"`
	DoNormalize          *bool           `json:"do_normalize"`
	ImageMean            json.RawMessage `json:"image_mean"`
	ImageStd             json.RawMessage `json:"image_std"`
}

// hfSize is a parsed HF size: either height×width or a shortest edge.
type hfSize struct {
	h, w     int
	shortest int
}

// parseHFSize reads size/crop_size as {height,width}, {shortest_edge},
// a bare int (square, as get_size_dict does for ViT and DeiT) or a
// [height, width] list.
func parseHFSize(raw json.RawMessage, field string) (hfSize, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return hfSize{}, false, nil
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err == nil {
		if n != math.Trunc(n) || n <= 0 || n > 1<<16 {
			return hfSize{}, false, fmt.Errorf("%s %v: not a positive integer", field, n)
		}
		return hfSize{h: int(n), w: int(n)}, true, nil
	}
	var l []int
	if err := json.Unmarshal(raw, &l); err == nil {
		if len(l) != 2 || l[0] <= 0 || l[1] <= 0 || l[0] > MaxSide || l[1] > MaxSide {
			return hfSize{}, false, fmt.Errorf("%s %v: want [height, width]", field, l)
		}
		return hfSize{h: l[0], w: l[1]}, true, nil
	}
	var mp map[string]*float64
	if err := json.Unmarshal(raw, &mp); err != nil {
		return hfSize{}, false, fmt.Errorf("%s %s: %v", field, raw, err)
	}
	m := map[string]int{} // keys with null values are absent
	for k, v := range mp {
		if v != nil {
			if *v != math.Trunc(*v) || *v < -1<<20 || *v > 1<<20 {
				return hfSize{}, false, fmt.Errorf("%s %s: %s is not an integer", field, raw, k)
			}
			m[k] = int(*v)
		}
	}
	if _, ok := m["longest_edge"]; ok {
		return hfSize{}, false, fmt.Errorf("%s %s: longest_edge is not supported", field, raw)
	}
	h, okh := m["height"]
	w, okw := m["width"]
	s, oks := m["shortest_edge"]
	switch {
	case okh && okw && !oks:
		if h <= 0 || w <= 0 || h > 1<<16 || w > 1<<16 {
			return hfSize{}, false, fmt.Errorf("%s %s: bad size", field, raw)
		}
		return hfSize{h: h, w: w}, true, nil
	case oks && !okh && !okw:
		if s <= 0 || s > 1<<16 {
			return hfSize{}, false, fmt.Errorf("%s %s: bad size", field, raw)
		}
		return hfSize{shortest: s}, true, nil
	}
	return hfSize{}, false, fmt.Errorf("%s %s: want {height, width} or {shortest_edge}", field, raw)
}

// parseFloats reads a float or a list of floats.
func parseFloats(raw json.RawMessage, field string) ([]float64, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return []float64{f}, true, nil
	}
	var l []float64
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, false, fmt.Errorf("%s %s: %v", field, raw, err)
	}
	if len(l) != 1 && len(l) != 3 {
		return nil, false, fmt.Errorf("%s %v: want 1 or 3 values", field, l)
	}
	return l, true, nil
}

func f32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// ParseHF reads an HF preprocessor_config.json (ViTImageProcessor,
// DeiTImageProcessor and the legacy ViTFeatureExtractor and
// DeiTFeatureExtractor), filling absent fields with the defaults of the
// class that wrote the file (the legacy DeiTFeatureExtractor defaulted to
// the ImageNet mean and std, DeiTImageProcessor defaults to 0.5). Values
// are rescaled as current transformers does, x·rescale_factor in float64
// rounded to float32, also for the legacy forms (whose x/255 in float32
// differs by at most one ulp). Channels is 1 when image_mean has one value,
// else 3.
func ParseHF(data []byte) (Recipe, error) {
	var c hfConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return Recipe{}, fmt.Errorf("preprocessor_config.json: %w", err)
	}
	kind := c.ImageProcessorType
	legacy := false
	if kind == "" {
		kind = c.FeatureExtractorType
		legacy = strings.HasSuffix(kind, "FeatureExtractor")
	}
	deit := strings.HasPrefix(kind, "DeiT")
	src := kind
	if src == "" {
		src = "preprocessor_config.json"
	}

	// Class defaults.
	r := Recipe{Channels: 3, Filter: Bilinear, Rescale: 1.0 / 255, Source: "HF " + src}
	doResize, doCrop, doRescale, doNormalize := true, false, true, true
	size := hfSize{h: 224, w: 224}
	crop := hfSize{h: 224, w: 224}
	mean, std := imagenetStandardMean, imagenetStandardStd
	if deit {
		size = hfSize{h: 256, w: 256}
		r.Filter = Bicubic
		doCrop = true
		if legacy {
			mean, std = imagenetDefaultMean, imagenetDefaultStd
		}
	}

	if c.DoResize != nil {
		doResize = *c.DoResize
	}
	if s, ok, err := parseHFSize(c.Size, "size"); err != nil {
		return Recipe{}, fmt.Errorf("preprocessor_config.json: %w", err)
	} else if ok {
		size = s
	}
	if c.Resample != nil {
		if *c.Resample < 0 || *c.Resample > 5 {
			return Recipe{}, fmt.Errorf("preprocessor_config.json: resample %d: want 0–5", *c.Resample)
		}
		r.Filter = Filter(*c.Resample)
	}
	if c.DoCenterCrop != nil {
		doCrop = *c.DoCenterCrop
	}
	if s, ok, err := parseHFSize(c.CropSize, "crop_size"); err != nil {
		return Recipe{}, fmt.Errorf("preprocessor_config.json: %w", err)
	} else if ok {
		if s.shortest != 0 {
			s = hfSize{h: s.shortest, w: s.shortest}
		}
		crop = s
	}
	if c.DoRescale != nil {
		doRescale = *c.DoRescale
	}
	if c.RescaleFactor != nil {
		r.Rescale = *c.RescaleFactor
	}
	if c.DoNormalize != nil {
		doNormalize = *c.DoNormalize
	}
	if m, ok, err := parseFloats(c.ImageMean, "image_mean"); err != nil {
		return Recipe{}, fmt.Errorf("preprocessor_config.json: %w", err)
	} else if ok {
		mean = m
	}
	if s, ok, err := parseFloats(c.ImageStd, "image_std"); err != nil {
		return Recipe{}, fmt.Errorf("preprocessor_config.json: %w", err)
	} else if ok {
		std = s
	}

	if doNormalize && len(mean) == 1 && len(std) == 1 {
		r.Channels = 1
	}
	if !doRescale {
		r.Rescale, r.Divide = 1, 0
	}
	if doNormalize {
		r.Mean, r.Std = f32s(perChannel(mean, r.Channels)), f32s(perChannel(std, r.Channels))
	}
	if doResize {
		if size.shortest != 0 {
			r.Resize, r.ResizeHeight = ResizeShortest, size.shortest
		} else {
			r.Resize, r.ResizeHeight, r.ResizeWidth = ResizeExact, size.h, size.w
			r.Height, r.Width = size.h, size.w
		}
	}
	if doCrop {
		r.Crop = CropHF
		r.Height, r.Width = crop.h, crop.w
	}
	if err := r.Validate(); err != nil {
		return Recipe{}, fmt.Errorf("preprocessor_config.json: %w", err)
	}
	return r, nil
}

// timmConfig is the part of a timm pretrained_cfg that changes pixels.
type timmConfig struct {
	InputSize     []int           `json:"input_size"`
	Interpolation string          `json:"interpolation"`
	CropPct       *float64        `json:"crop_pct"`
	CropMode      string          `json:"crop_mode"`
	Mean          json.RawMessage `json:"mean"`
	Std           json.RawMessage `json:"std"`
}

// ParseTimm reads a timm pretrained_cfg object, or a timm config.json
// holding one under "pretrained_cfg", and builds timm's eval transform
// (transforms_factory.transforms_imagenet_eval): scale = floor(size /
// crop_pct) per side; "center" resizes the short side to scale (or
// ResizeKeepRatio, bilinear, for a non-square target) then center crops;
// "squash" resizes to scale×scale then crops; "border" fits the long side
// with ResizeKeepRatio(longest=1) and pads with round(255·mean).
func ParseTimm(cfg []byte) (Recipe, error) {
	var outer struct {
		PretrainedCfg json.RawMessage `json:"pretrained_cfg"`
	}
	if err := json.Unmarshal(cfg, &outer); err != nil {
		return Recipe{}, fmt.Errorf("pretrained_cfg: %w", err)
	}
	if len(outer.PretrainedCfg) > 0 && string(outer.PretrainedCfg) != "null" {
		cfg = outer.PretrainedCfg
	}
	var c timmConfig
	if err := json.Unmarshal(cfg, &c); err != nil {
		return Recipe{}, fmt.Errorf("pretrained_cfg: %w", err)
	}
	ch, h, w := 3, 224, 224
	if c.InputSize != nil {
		if len(c.InputSize) != 3 || c.InputSize[1] <= 0 || c.InputSize[2] <= 0 || c.InputSize[1] > 1<<16 || c.InputSize[2] > 1<<16 {
			return Recipe{}, fmt.Errorf("pretrained_cfg: input_size %v: want [C, H, W]", c.InputSize)
		}
		ch, h, w = c.InputSize[0], c.InputSize[1], c.InputSize[2]
	}
	r := Recipe{Channels: ch, Height: h, Width: w, Divide: 255, Filter: Bicubic, Crop: CropTorch, Source: "timm pretrained_cfg"}
	interp := func(s string) (Filter, error) {
		switch s {
		case "", "bicubic":
			return Bicubic, nil
		case "bilinear", "random":
			return Bilinear, nil
		case "nearest":
			return Nearest, nil
		case "lanczos":
			return Lanczos, nil
		case "box":
			return Box, nil
		case "hamming":
			return Hamming, nil
		}
		return 0, fmt.Errorf("pretrained_cfg: interpolation %q: unknown", s)
	}
	f, err := interp(c.Interpolation)
	if err != nil {
		return Recipe{}, err
	}
	r.Filter = f

	mean, std := imagenetDefaultMean, imagenetDefaultStd
	if m, ok, err := parseFloats(c.Mean, "mean"); err != nil {
		return Recipe{}, fmt.Errorf("pretrained_cfg: %w", err)
	} else if ok {
		mean = m
	}
	if s, ok, err := parseFloats(c.Std, "std"); err != nil {
		return Recipe{}, fmt.Errorf("pretrained_cfg: %w", err)
	} else if ok {
		std = s
	}
	mean, std = perChannel(mean, ch), perChannel(std, ch)
	r.Mean, r.Std = f32s(mean), f32s(std)

	pct := 0.875
	if c.CropPct != nil && *c.CropPct != 0 {
		pct = *c.CropPct
	}
	if !(pct > 0 && pct <= 4) {
		return Recipe{}, fmt.Errorf("pretrained_cfg: crop_pct %v", pct)
	}
	sh := int(math.Floor(float64(h) / pct))
	sw := int(math.Floor(float64(w) / pct))
	r.ResizeHeight, r.ResizeWidth = sh, sw
	switch c.CropMode {
	case "", "center":
		if sh == sw {
			r.Resize = ResizeShortest
		} else {
			// timm builds ResizeKeepRatio(scale_size) here without passing
			// the interpolation, so it is bilinear.
			r.Resize, r.Filter = ResizeKeepRatio, Bilinear
		}
	case "squash":
		r.Resize = ResizeExact
	case "border":
		r.Resize, r.Longest = ResizeKeepRatio, 1
		r.Fill = make([]uint8, len(mean))
		for i, m := range mean {
			// Python's round(255 * v) on the config's float64 value.
			v := math.RoundToEven(255 * m)
			r.Fill[i] = uint8(min(max(v, 0), 255))
		}
	default:
		return Recipe{}, fmt.Errorf("pretrained_cfg: crop_mode %q: want center, squash or border", c.CropMode)
	}
	if err := r.Validate(); err != nil {
		return Recipe{}, fmt.Errorf("pretrained_cfg: %w", err)
	}
	return r, nil
}
