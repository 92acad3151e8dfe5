package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr string // substring; "" means no error
	}{
		{name: "defaults", env: nil, want: Config{ProviderName: "Descope"}},
		{name: "empty values take defaults", env: map[string]string{envProviderName: "", envRequireExistingUser: ""}, want: Config{ProviderName: "Descope"}},
		{name: "custom provider", env: map[string]string{envProviderName: "DescopeProd"}, want: Config{ProviderName: "DescopeProd"}},
		{name: "require true", env: map[string]string{envRequireExistingUser: "true"}, want: Config{ProviderName: "Descope", RequireExistingUser: true}},
		{name: "require TRUE with spaces", env: map[string]string{envRequireExistingUser: " TRUE "}, want: Config{ProviderName: "Descope", RequireExistingUser: true}},
		{name: "require false", env: map[string]string{envRequireExistingUser: "False"}, want: Config{ProviderName: "Descope"}},
		{name: "require yes is an error", env: map[string]string{envRequireExistingUser: "yes"}, wantErr: `REQUIRE_EXISTING_USER="yes": not a boolean; set it to "true" or "false"`},
		{name: "require 1 is an error", env: map[string]string{envRequireExistingUser: "1"}, wantErr: "REQUIRE_EXISTING_USER"},
		{name: "require typo is an error", env: map[string]string{envRequireExistingUser: "ture"}, wantErr: "REQUIRE_EXISTING_USER"},
		{name: "provider with space", env: map[string]string{envProviderName: "Descope "}, wantErr: "DESCOPE_PROVIDER_NAME"},
		{name: "provider with underscore", env: map[string]string{envProviderName: "Des_cope"}, wantErr: "DESCOPE_PROVIDER_NAME"},
		{name: "provider too long", env: map[string]string{envProviderName: strings.Repeat("D", 33)}, wantErr: "longer than 32"},
		{name: "provider Cognito is reserved", env: map[string]string{envProviderName: "cognito"}, wantErr: "reserved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadConfig(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, c.wantErr)
				}
				if got != (Config{}) {
					t.Errorf("config %+v returned with an error", got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("loadConfig = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	got := redact(`bad filter email = "Jane.Doe@Example.com" and JANE.DOE@EXAMPLE.COM`, "jane.doe@example.com")
	if strings.Contains(strings.ToLower(got), "jane.doe") || strings.Count(got, "j***@e***.com") != 2 {
		t.Errorf("redact = %q", got)
	}
	if got := redact("nothing here", ""); got != "nothing here" {
		t.Errorf("redact with empty secret = %q", got)
	}
}

func TestInvocationDeadline(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, want := invocationDeadline(context.Background(), now), now.Add(4500*time.Millisecond); !got.Equal(want) {
		t.Errorf("no Lambda deadline: %v, want %v", got, want)
	}
	long, cancel := context.WithDeadline(context.Background(), now.Add(30*time.Second))
	defer cancel()
	if got, want := invocationDeadline(long, now), now.Add(4500*time.Millisecond); !got.Equal(want) {
		t.Errorf("30 s Lambda timeout: %v, want Cognito's budget %v", got, want)
	}
	short, cancel2 := context.WithDeadline(context.Background(), now.Add(2*time.Second))
	defer cancel2()
	if got, want := invocationDeadline(short, now), now.Add(1500*time.Millisecond); !got.Equal(want) {
		t.Errorf("2 s Lambda timeout: %v, want %v", got, want)
	}
}
