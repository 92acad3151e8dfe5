package main

import (
	"context"
	"testing"
)

// benchmarkHandle runs one payload through HandleRaw against an in-memory
// pool, resetting its state each round; logs go to io.Discard through the
// real JSON handler, so their cost is included.
func benchmarkHandle(b *testing.B, payload []byte, fake *fakeCognito, wantLinks int) {
	b.Helper()
	h := NewHandler(defaultCfg, fake, discardLogger)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fake.listCalls, fake.linkCalls = fake.listCalls[:0], fake.linkCalls[:0]
		clear(fake.links)
		if _, err := h.HandleRaw(ctx, payload); err != nil {
			b.Fatal(err)
		}
		if len(fake.linkCalls) != wantLinks {
			b.Fatalf("%d links, want %d", len(fake.linkCalls), wantLinks)
		}
	}
}

func BenchmarkHandleLink(b *testing.B) {
	benchmarkHandle(b, fixture(b, "external-descope.json"), newFake(jane()), 1)
}

func BenchmarkHandleNoMatch(b *testing.B) {
	benchmarkHandle(b, fixture(b, "external-descope.json"), newFake(), 0)
}

func BenchmarkHandleUnrelatedTrigger(b *testing.B) {
	benchmarkHandle(b, fixture(b, "signup.json"), newFake(jane()), 0)
}
