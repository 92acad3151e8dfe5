package lambdabuild

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeModule lays out a tiny main package in its own module, so a test can
// change its source without touching the project's.
func writeModule(t *testing.T, message string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module example.com/fn\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"" + message + "\") }\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func build(t *testing.T, moduleDir, goarch string) (Artifact, []byte) {
	t.Helper()
	artifact, err := Build(context.Background(), Options{
		Package:   ".",
		ModuleDir: moduleDir,
		OutputDir: t.TempDir(),
		GOARCH:    goarch,
	})
	if err != nil {
		t.Fatal(err)
	}
	zipped, err := os.ReadFile(artifact.ZipPath)
	if err != nil {
		t.Fatal(err)
	}
	return artifact, zipped
}

func TestSameSourceGivesTheSameArchive(t *testing.T) {
	// Two copies of the source in different directories: paths must not leak in.
	first, firstZip := build(t, writeModule(t, "hello"), "arm64")
	second, secondZip := build(t, writeModule(t, "hello"), "arm64")
	if !bytes.Equal(firstZip, secondZip) {
		t.Fatal("two builds of the same source differ byte for byte")
	}
	if first.SourceCodeHash != second.SourceCodeHash || first.ZipSize != int64(len(firstZip)) {
		t.Errorf("hash %s vs %s, size %d vs %d bytes", first.SourceCodeHash, second.SourceCodeHash, first.ZipSize, len(firstZip))
	}
}

func TestChangedSourceGivesAnotherArchive(t *testing.T) {
	before, _ := build(t, writeModule(t, "hello"), "arm64")
	after, _ := build(t, writeModule(t, "goodbye"), "arm64")
	if before.SourceCodeHash == after.SourceCodeHash {
		t.Fatal("a changed source gave the same archive hash")
	}
}

func TestArchiveHoldsAnExecutableStaticBootstrap(t *testing.T) {
	artifact, _ := build(t, writeModule(t, "hello"), "arm64")
	archive, err := zip.OpenReader(artifact.ZipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer archive.Close()
	if len(archive.File) != 1 {
		t.Fatalf("archive has %d entries, want only bootstrap", len(archive.File))
	}
	entry := archive.File[0]
	if entry.Name != BinaryName || entry.Mode().Perm() != 0o755 {
		t.Errorf("entry %s mode %v, want bootstrap 0755", entry.Name, entry.Mode())
	}
	if !entry.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("entry time %v, want the fixed zip epoch", entry.Modified)
	}

	binary, err := elf.Open(artifact.BinaryPath)
	if err != nil {
		t.Fatal(err)
	}
	defer binary.Close()
	if binary.Machine != elf.EM_AARCH64 {
		t.Errorf("machine %v, want arm64 for Graviton", binary.Machine)
	}
	for _, prog := range binary.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Error("binary asks for a dynamic loader; provided.al2023 needs a static one")
		}
	}
	if section := binary.Section(".symtab"); section != nil {
		t.Error("binary keeps its symbol table; it should be stripped")
	}
}

func TestBuildFailureNamesThePackageAndShowsTheCompiler(t *testing.T) {
	dir := writeModule(t, "hello")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Build(context.Background(), Options{Package: ".", ModuleDir: dir, OutputDir: t.TempDir(), GOARCH: "arm64"})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("undefined")) {
		t.Fatalf("error = %v, want the compiler's message", err)
	}
}

func TestMissingOptionsAreRefused(t *testing.T) {
	if _, err := Build(context.Background(), Options{Package: "."}); err == nil {
		t.Fatal("Build accepted options without OutputDir and GOARCH")
	}
}

func TestTheMergeFunctionBuildsReproducibly(t *testing.T) {
	moduleRoot, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	build := func() []byte {
		artifact, err := Build(context.Background(), Options{Package: "./lambda", ModuleDir: moduleRoot, OutputDir: t.TempDir(), GOARCH: "arm64"})
		if err != nil {
			t.Fatal(err)
		}
		zipped, err := os.ReadFile(artifact.ZipPath)
		if err != nil {
			t.Fatal(err)
		}
		return zipped
	}
	if !bytes.Equal(build(), build()) {
		t.Fatal("two builds of ./lambda differ: `pulumi preview` would show a change to an unchanged function")
	}
}

// A fake `go` first on PATH records the environment Build gives it.
func TestBuildUsesTheToolchainPinnedInGoMod(t *testing.T) {
	tests := []struct{ goMod, want string }{
		{"module example.com/fn\n\ngo 1.26\n\ntoolchain go1.26.8\n", "GOTOOLCHAIN=go1.26.8"},
		{"module example.com/fn\n\ngo 1.26\n", ""},
	}
	for _, tt := range tests {
		bin, moduleDir := t.TempDir(), t.TempDir()
		envFile := filepath.Join(t.TempDir(), "env")
		fakeGo := "#!/bin/sh\nenv > " + envFile + "\nexit 1\n"
		if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(moduleDir, "go.mod"), []byte(tt.goMod), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		t.Setenv("GOTOOLCHAIN", "local")
		_, err := Build(context.Background(), Options{Package: ".", ModuleDir: moduleDir, OutputDir: t.TempDir(), GOARCH: "arm64"})
		if err == nil {
			t.Fatal("Build succeeded with a go that fails")
		}
		env, readErr := os.ReadFile(envFile)
		if readErr != nil {
			t.Fatal(readErr)
		}
		var got string
		for _, line := range strings.Split(string(env), "\n") {
			if strings.HasPrefix(line, "GOTOOLCHAIN=") {
				got = line // the last one wins, as in exec
			}
		}
		if want := tt.want; want == "" {
			want = "GOTOOLCHAIN=local"
			if got != want {
				t.Errorf("without a toolchain line: %s, want the caller's %s", got, want)
			}
		} else if got != want {
			t.Errorf("go.mod %q: go ran with %s, want %s", tt.goMod, got, want)
		}
	}
}

// The environment the artifact asks for is the one the benchmarks measured:
// a binary started with it runs on one P, whatever the machine has.
func TestArtifactEnvironmentRunsTheBinaryOnOneP(t *testing.T) {
	dir := writeModule(t, "unused")
	source := "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc main() { fmt.Print(runtime.GOMAXPROCS(0)) }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	artifact, _ := build(t, dir, runtime.GOARCH)
	if got := artifact.Environ(); !slices.Equal(got, []string{"GOMAXPROCS=1"}) {
		t.Errorf("Environ() = %q, want [GOMAXPROCS=1]", got)
	}
	cmd := exec.Command(artifact.BinaryPath)
	cmd.Env = artifact.Environ()
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "1" {
		t.Errorf("the binary ran with GOMAXPROCS %s, want 1", out)
	}
}
