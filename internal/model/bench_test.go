package model

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"github.com/vitgo/vit/internal/kernels"
	"github.com/vitgo/vit/internal/rusage"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// writeRandomHF writes a random-weight HF ViTForImageClassification
// checkpoint of the named config to dir, its tensors of dtype "F32" or
// "BF16" (the float32 values rounded), streaming one tensor at a time so
// the writer's memory stays small. It returns the file size.
func writeRandomHF(tb testing.TB, dir, name, dtype string) int64 {
	cfg, err := randomConfig(name)
	if err != nil {
		tb.Fatal(err)
	}
	d, f, l, c, p := cfg.Hidden, cfg.Intermediate, cfg.NumClasses, cfg.Channels, cfg.PatchSize
	t0 := 1 + cfg.grid()*cfg.grid()
	type ent struct {
		name  string
		shape []int
	}
	es := []ent{
		{"vit.embeddings.cls_token", []int{1, 1, d}},
		{"vit.embeddings.position_embeddings", []int{1, t0, d}},
		{"vit.embeddings.patch_embeddings.projection.weight", []int{d, c, p, p}},
		{"vit.embeddings.patch_embeddings.projection.bias", []int{d}},
	}
	for i := range cfg.Layers {
		pre := fmt.Sprintf("vit.encoder.layer.%d.", i)
		for _, s := range []string{"query", "key", "value"} {
			es = append(es, ent{pre + "attention.attention." + s + ".weight", []int{d, d}}, ent{pre + "attention.attention." + s + ".bias", []int{d}})
		}
		es = append(es,
			ent{pre + "attention.output.dense.weight", []int{d, d}}, ent{pre + "attention.output.dense.bias", []int{d}},
			ent{pre + "intermediate.dense.weight", []int{f, d}}, ent{pre + "intermediate.dense.bias", []int{f}},
			ent{pre + "output.dense.weight", []int{d, f}}, ent{pre + "output.dense.bias", []int{d}},
			ent{pre + "layernorm_before.weight", []int{d}}, ent{pre + "layernorm_before.bias", []int{d}},
			ent{pre + "layernorm_after.weight", []int{d}}, ent{pre + "layernorm_after.bias", []int{d}})
	}
	es = append(es, ent{"vit.layernorm.weight", []int{d}}, ent{"vit.layernorm.bias", []int{d}},
		ent{"classifier.weight", []int{l, d}}, ent{"classifier.bias", []int{l}})
	size := 4 // bytes per value
	if dtype == "BF16" {
		size = 2
	}
	var hdr bytes.Buffer
	hdr.WriteString(`{"__metadata__":{"format":"pt"}`)
	var off int
	for _, e := range es {
		n := size
		for _, s := range e.shape {
			n *= s
		}
		sh, _ := json.Marshal(e.shape)
		fmt.Fprintf(&hdr, `,%q:{"dtype":%q,"shape":%s,"data_offsets":[%d,%d]}`, e.name, dtype, sh, off, off+n)
		off += n
	}
	hdr.WriteByte('}')
	for hdr.Len()%8 != 0 {
		hdr.WriteByte(' ')
	}
	out, err := os.Create(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(out, 1<<20)
	binary.Write(w, binary.LittleEndian, uint64(hdr.Len()))
	w.Write(hdr.Bytes())
	rng := rand.New(rand.NewPCG(1, 2))
	var buf [4]byte
	for _, e := range es {
		n := 1
		for _, s := range e.shape {
			n *= s
		}
		for range n {
			u := math.Float32bits(0.02 * (2*rng.Float32() - 1))
			binary.LittleEndian.PutUint32(buf[:], u)
			if size == 2 {
				binary.LittleEndian.PutUint16(buf[:], bf16Bits(u))
			}
			w.Write(buf[:size])
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	config := map[string]any{"model_type": "vit", "architectures": []string{"ViTForImageClassification"},
		"hidden_size": d, "num_hidden_layers": cfg.Layers, "num_attention_heads": cfg.Heads,
		"intermediate_size": f, "image_size": cfg.ImageSize, "patch_size": p, "num_labels": l}
	cb, _ := json.Marshal(config)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cb, 0o644); err != nil {
		tb.Fatal(err)
	}
	return int64(8 + hdr.Len() + off)
}

// BenchmarkOpen opens a random-weight ViT-B/16 checkpoint (F32, 346 MB,
// or BF16, 173 MB, in the page cache) in each precision and reports the
// time until Forward can run (ns/op and the process CPU time it took),
// the first batch-1 forward after it, and the process's peak resident
// set against the file size. The peak is the whole process's: run one
// case alone, once, to read it, e.g.
//
//	go test -run '^$' -bench 'Open/BF16/int8$' -benchtime 1x ./internal/model
func BenchmarkOpen(b *testing.B) {
	for _, dtype := range []string{"F32", "BF16"} {
		for _, prec := range []kernels.Precision{kernels.FP32, kernels.BF16, kernels.Int8} {
			b.Run(dtype+"/"+prec.String(), func(b *testing.B) { benchOpen(b, dtype, prec) })
		}
	}
}

func benchOpen(b *testing.B, dtype string, prec kernels.Precision) {
	dir := b.TempDir()
	size := writeRandomHF(b, dir, "vit-b16", dtype)
	runtime.GC()
	debug.FreeOSMemory()
	pix := make([]float32, 3*224*224) // [C, H, W]
	logits := make([]float32, 1000)
	var first time.Duration
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0 := rusage.CPUTime()
		m, err := Load(dir, Options{Precision: prec})
		cpu += rusage.CPUTime() - c0
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if i == 0 {
			t0 := time.Now()
			if err := m.Forward(pix, 1, 224, 224, logits); err != nil {
				b.Fatal(err)
			}
			first = time.Since(t0)
		}
		m.Close()
		m = nil
		runtime.GC()
		debug.FreeOSMemory()
		b.StartTimer()
	}
	b.StopTimer()
	peak := rusage.PeakRSS()
	b.ReportMetric(float64(first.Microseconds())/1e3, "first-forward-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(size)/1e6, "file-MB")
	b.ReportMetric(float64(peak)/1e6, "peak-RSS-MB")
	b.ReportMetric(float64(peak)/float64(size), "peakRSS/file")
}

// BenchmarkForward runs the named random models at 224×224 and reports
// GFLOP/s by the FLOPs count of the peer benchmarks' vit_configs.py.
func BenchmarkForward(b *testing.B) {
	for _, name := range []string{"vit-ti16", "vit-s16", "vit-b16"} {
		m, err := Random(name, 1, Options{})
		if err != nil {
			b.Fatal(err)
		}
		g := 224 / m.Config.PatchSize
		for _, batch := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/b%d", name, batch), func(b *testing.B) {
				pix := make([]float32, batch*3*224*224) // [B, C, H, W]
				for i := range pix {
					pix[i] = float32(i%255)/127.5 - 1
				}
				logits := make([]float32, batch*1000)
				if err := m.Forward(pix, batch, 224, 224, logits); err != nil { // warm the buffers
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					m.Forward(pix, batch, 224, 224, logits)
				}
				b.StopTimer()
				b.ReportMetric(m.FLOPs(g, g)*float64(batch)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N)/float64(batch), "ms/image")
			})
		}
		m.Close()
	}
}

// BenchmarkPatchify cuts a 3×224×224 image into 196 patches of 16×16 (the
// first step of ViT-B/16's patch embedding).
func BenchmarkPatchify(b *testing.B) {
	const c, h, w, p = 3, 224, 224, 16
	src := make([]float32, c*h*w)             // [C, H, W]
	dst := make([]float32, (h/p)*(w/p)*c*p*p) // [Np, C·P·P]
	b.SetBytes(int64(4 * len(src)))
	for b.Loop() {
		patchify(src, c, h, w, p, dst)
	}
}

// BenchmarkForwardPrecision is BenchmarkForward on ViT-B/16 in each
// precision, side by side, bf16 and int8 on each of their kernels
// (bf16-fma, bf16-dpbf16, bf16-amx: kernels.BF16Kernels; int8-vpmaddwd,
// int8-avxvnni, int8-avx512vnni, int8-amx: kernels.Int8Kernels; all but
// the amx ones with AMX off for the whole forward). VIT_ISA=avx2 times
// the kernels of an AVX2 CPU (kernels.SetISA: no AVX-512, no AMX);
// VIT_BF16_KERNEL=dpbf16 makes that the bf16 kernel of the runs that do
// not pick their own (kernels.SetBF16Kernel): the int8 runs' attention
// then runs on VDPBF16PS, as on an AMD CPU.
func BenchmarkForwardPrecision(b *testing.B) {
	if s := os.Getenv("VIT_ISA"); s != "" {
		defer kernels.SetISA(s)()
	}
	if k := os.Getenv("VIT_BF16_KERNEL"); k != "" {
		defer kernels.SetBF16Kernel(k)()
	}
	type run struct {
		prec kernels.Precision
		name string
		set  func() (restore func()) // selects the run's kernel, or nil: the CPU's pick
	}
	runs := []run{{kernels.FP32, "fp32", nil}}
	for _, k := range kernels.BF16Kernels() {
		runs = append(runs, run{kernels.BF16, "bf16-" + k, func() func() { return kernels.SetBF16Kernel(k) }})
	}
	for _, k := range kernels.Int8Kernels() {
		runs = append(runs, run{kernels.Int8, "int8-" + k, func() func() { return kernels.SetInt8Kernel(k) }})
	}
	for _, rn := range runs {
		b.Run(rn.name, func(b *testing.B) { // a model only for the runs -bench selects
			if rn.set != nil {
				defer rn.set()()
			}
			m, err := Random("vit-b16", 1, Options{Precision: rn.prec})
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			for _, batch := range []int{1, 8} {
				b.Run(fmt.Sprintf("b%d", batch), func(b *testing.B) {
					pix := make([]float32, batch*3*224*224) // [B, C, H, W]
					for i := range pix {
						pix[i] = float32(i%255)/127.5 - 1
					}
					logits := make([]float32, batch*1000)
					if err := m.Forward(pix, batch, 224, 224, logits); err != nil {
						b.Fatal(err)
					}
					c0 := rusage.CPUTime()
					for b.Loop() {
						m.Forward(pix, batch, 224, 224, logits)
					}
					b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N)/float64(batch), "ms/image")
					// the process's CPU time: what the work costs when other
					// jobs share the cores (wall time then measures them too)
					b.ReportMetric(float64(rusage.CPUTime()-c0)/1e6/float64(b.N)/float64(batch), "cpu-ms/image")
				})
			}
		})
	}
}
