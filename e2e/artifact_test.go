package e2e

import (
	"archive/zip"
	"debug/elf"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
)

// provided.al2023 gives the binary no particular libc to count on: it must
// be fully static, with no program interpreter and no dynamic section.
func TestBootstrapIsStaticallyLinked(t *testing.T) {
	f, err := elf.Open(bootstrap(t).BinaryPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC {
		t.Errorf("ELF type %s, want ET_EXEC (a static, non-PIE executable)", f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary has a %s program header: it is dynamically linked", p.Type)
		}
	}
	if s := f.Section(".dynamic"); s != nil {
		t.Error("binary has a .dynamic section")
	}
	if s := f.Section(".symtab"); s != nil {
		t.Error("binary has a symbol table: it was not stripped")
	}
}

func TestZipHoldsOnlyAnExecutableBootstrap(t *testing.T) {
	r, err := zip.OpenReader(bootstrap(t).ZipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.File) != 1 || r.File[0].Name != lambdabuild.BinaryName {
		t.Fatalf("zip entries = %v, want only %q", r.File, lambdabuild.BinaryName)
	}
	if mode := r.File[0].Mode(); mode.Perm()&0o111 == 0 {
		t.Errorf("bootstrap mode %s is not executable", mode)
	}
}
