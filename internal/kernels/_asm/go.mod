module github.com/vitgo/vit/internal/kernels/_asm

go 1.26.0
