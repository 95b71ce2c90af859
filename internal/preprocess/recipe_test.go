package preprocess

import (
	"reflect"
	"testing"
)

func TestParseHF(t *testing.T) {
	cases := []struct {
		name string
		json string
		want Recipe
	}{
		{"vit-legacy", `{"do_normalize": true, "do_resize": true, "feature_extractor_type": "ViTFeatureExtractor",
			"image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2, "size": 224}`,
			Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeExact, ResizeHeight: 224, ResizeWidth: 224,
				Filter: Bilinear, Rescale: 1.0 / 255, Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.5, 0.5, 0.5}}},
		{"deit-legacy", `{"crop_size": 224, "do_center_crop": true, "do_normalize": true, "do_resize": true,
			"feature_extractor_type": "DeiTFeatureExtractor", "image_mean": [0.485, 0.456, 0.406],
			"image_std": [0.229, 0.224, 0.225], "resample": 3, "size": 256}`,
			Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeExact, ResizeHeight: 256, ResizeWidth: 256,
				Filter: Bicubic, Crop: CropHF, Rescale: 1.0 / 255,
				Mean: []float32{0.485, 0.456, 0.406}, Std: []float32{0.229, 0.224, 0.225}}},
		{"deit-legacy-defaults", `{"feature_extractor_type": "DeiTFeatureExtractor"}`,
			Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeExact, ResizeHeight: 256, ResizeWidth: 256,
				Filter: Bicubic, Crop: CropHF, Rescale: 1.0 / 255,
				Mean: []float32{0.485, 0.456, 0.406}, Std: []float32{0.229, 0.224, 0.225}}},
		{"deit-defaults", `{"image_processor_type": "DeiTImageProcessor"}`,
			Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeExact, ResizeHeight: 256, ResizeWidth: 256,
				Filter: Bicubic, Crop: CropHF, Rescale: 1.0 / 255,
				Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.5, 0.5, 0.5}}},
		{"vit-new", `{"do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5],
			"image_processor_type": "ViTImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 2,
			"rescale_factor": 0.00392156862745098, "size": {"height": 384, "width": 384}}`,
			Recipe{Channels: 3, Height: 384, Width: 384, Resize: ResizeExact, ResizeHeight: 384, ResizeWidth: 384,
				Filter: Bilinear, Rescale: 0.00392156862745098, Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.5, 0.5, 0.5}}},
		{"gray-shortest", `{"image_processor_type": "ViTImageProcessor", "size": {"shortest_edge": 32},
			"do_center_crop": true, "crop_size": {"height": 28, "width": 28}, "resample": 3,
			"image_mean": [0.2860], "image_std": [0.3530]}`,
			Recipe{Channels: 1, Height: 28, Width: 28, Resize: ResizeShortest, ResizeHeight: 32,
				Filter: Bicubic, Crop: CropHF, Rescale: 1.0 / 255, Mean: []float32{0.2860}, Std: []float32{0.3530}}},
		{"null-fields", `{"image_processor_type": "ViTImageProcessor", "size": {"height": 224.0, "width": 224, "shortest_edge": null},
			"resample": null, "image_mean": null, "crop_size": null, "do_convert_rgb": null}`,
			Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeExact, ResizeHeight: 224, ResizeWidth: 224,
				Filter: Bilinear, Rescale: 1.0 / 255, Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.5, 0.5, 0.5}}},
		{"no-rescale-no-normalize", `{"image_processor_type": "ViTImageProcessor", "do_rescale": false, "do_normalize": false}`,
			Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeExact, ResizeHeight: 224, ResizeWidth: 224,
				Filter: Bilinear, Rescale: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseHF([]byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			got.Source = ""
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestParseHFErrors(t *testing.T) {
	for _, s := range []string{
		`{`,
		`{"size": {"shortest_edge": 224}}`, // variable size without crop
		`{"do_resize": false}`,
		`{"resample": 9}`,
		`{"size": {"width": 3}}`,
		`{"size": -4}`,
		`{"image_mean": [0.5, 0.5]}`,
		`{"image_std": [0, 1, 1]}`,
		`{"size": {"shortest_edge": 224, "longest_edge": 1333}, "do_center_crop": true}`,
	} {
		if r, err := ParseHF([]byte(s)); err == nil {
			t.Errorf("ParseHF(%s) = %+v, want an error", s, r)
		}
	}
}

func TestParseTimm(t *testing.T) {
	imMean, imStd := []float32{0.485, 0.456, 0.406}, []float32{0.229, 0.224, 0.225}
	cases := []struct {
		name string
		json string
		want Recipe
	}{
		{"defaults", `{}`, Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeShortest,
			ResizeHeight: 256, ResizeWidth: 256, Filter: Bicubic, Crop: CropTorch, Divide: 255, Mean: imMean, Std: imStd}},
		{"augreg", `{"pretrained_cfg": {"input_size": [3, 224, 224], "interpolation": "bicubic", "crop_pct": 0.9,
			"crop_mode": "center", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}}`,
			Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeShortest, ResizeHeight: 248, ResizeWidth: 248,
				Filter: Bicubic, Crop: CropTorch, Divide: 255, Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.5, 0.5, 0.5}}},
		{"squash", `{"input_size": [3, 384, 384], "interpolation": "bilinear", "crop_pct": 1.0, "crop_mode": "squash"}`,
			Recipe{Channels: 3, Height: 384, Width: 384, Resize: ResizeExact, ResizeHeight: 384, ResizeWidth: 384,
				Filter: Bilinear, Crop: CropTorch, Divide: 255, Mean: imMean, Std: imStd}},
		{"border", `{"input_size": [3, 224, 224], "crop_pct": 1.0, "crop_mode": "border"}`,
			Recipe{Channels: 3, Height: 224, Width: 224, Resize: ResizeKeepRatio, ResizeHeight: 224, ResizeWidth: 224,
				Longest: 1, Filter: Bicubic, Crop: CropTorch, Fill: []uint8{124, 116, 104}, Divide: 255, Mean: imMean, Std: imStd}},
		{"nonsquare", `{"input_size": [3, 192, 256], "crop_pct": 0.95, "interpolation": "bicubic"}`,
			Recipe{Channels: 3, Height: 192, Width: 256, Resize: ResizeKeepRatio, ResizeHeight: 202, ResizeWidth: 269,
				Filter: Bilinear, Crop: CropTorch, Divide: 255, Mean: imMean, Std: imStd}},
		{"gray", `{"input_size": [1, 28, 28], "crop_pct": 1.0, "mean": [0.5], "std": [0.25]}`,
			Recipe{Channels: 1, Height: 28, Width: 28, Resize: ResizeShortest, ResizeHeight: 28, ResizeWidth: 28,
				Filter: Bicubic, Crop: CropTorch, Divide: 255, Mean: []float32{0.5}, Std: []float32{0.25}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseTimm([]byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			got.Source = ""
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
	for _, s := range []string{`[`, `{"input_size": [224, 224]}`, `{"crop_mode": "zoom"}`, `{"interpolation": "cubic"}`,
		`{"input_size": [3, 224, 224], "mean": [0.1, 0.2]}`} {
		if r, err := ParseTimm([]byte(s)); err == nil {
			t.Errorf("ParseTimm(%s) = %+v, want an error", s, r)
		}
	}
}

func TestDefaultHF(t *testing.T) {
	vit := DefaultHF("vit", 224, 3)
	if vit.Resize != ResizeExact || vit.ResizeHeight != 224 || vit.Filter != Bilinear || vit.Crop != CropNone ||
		!reflect.DeepEqual(vit.Mean, []float32{0.5, 0.5, 0.5}) || vit.Validate() != nil {
		t.Errorf("vit: %+v", vit)
	}
	deit := DefaultHF("deit", 224, 3)
	if deit.ResizeHeight != 256 || deit.Filter != Bicubic || deit.Crop != CropHF || deit.Height != 224 || deit.Validate() != nil {
		t.Errorf("deit: %+v", deit)
	}
	gray := DefaultHF("vit", 28, 1)
	if gray.Channels != 1 || len(gray.Mean) != 1 || gray.Validate() != nil {
		t.Errorf("gray: %+v", gray)
	}
	if h, w := gray.Size(); h != 28 || w != 28 {
		t.Errorf("gray size %d×%d", h, w)
	}
}
