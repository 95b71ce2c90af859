module github.com/vitgo/vit

go 1.26
