package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mergeRecord(name string) BackupRecord {
	return BackupRecord{
		Kind: KindMerge, Time: time.Unix(1700000000, 0).UTC(), UserPoolID: "us-east-1_Pool1", Provider: "Descope",
		FederatedUsername: name, Subject: "S",
		Federated: &UserRecord{Username: name, Sub: "fed-sub", Groups: []string{"g"}},
		Kept:      &UserRecord{Username: "kept", Sub: "kept-sub"},
	}
}

func mark(kind, name string) BackupRecord {
	return BackupRecord{Kind: kind, UserPoolID: "us-east-1_Pool1", Provider: "Descope", FederatedUsername: name}
}

func pendingNames(j *Journal) []string {
	var names []string
	for _, r := range j.Pending() {
		names = append(names, r.FederatedUsername)
	}
	return names
}

func TestJournalKnowsWhichMergesAreUnfinished(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "backup.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []BackupRecord{mergeRecord("a"), mergeRecord("b"), mark(KindDone, "a"), mergeRecord("c"), mergeRecord("d"), mark(KindAbandoned, "c")} {
		if err := j.Append(rec); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()

	j, err = OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if got := strings.Join(pendingNames(j), ","); got != "b,d" {
		t.Errorf("pending = %s, want b,d", got)
	}
	if p := j.Pending()[0]; p.Federated == nil || p.Federated.Groups[0] != "g" || p.Kept.Sub != "kept-sub" {
		t.Errorf("pending record lost its content: %+v", p)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v (%v), want 0600", info.Mode().Perm(), err)
	}
}

func TestJournalDropsARecordCutShortByACrash(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "backup.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(mergeRecord("a")); err != nil {
		t.Fatal(err)
	}
	j.Close()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"kind":"merge","userPoolId":"us-east-1_Pool1","federatedUs`); err != nil {
		t.Fatal(err)
	}
	f.Close()

	j, err = OpenJournal(path)
	if err != nil {
		t.Fatalf("a cut-off last line must not stop a resume: %v", err)
	}
	if got := strings.Join(pendingNames(j), ","); got != "a" {
		t.Errorf("pending = %s, want a", got)
	}
	// The next record lands on a line of its own and reads back.
	if err := j.Append(mark(KindDone, "a")); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j, err = OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if len(j.Pending()) != 0 {
		t.Errorf("pending after done = %v", pendingNames(j))
	}
}

func TestJournalRefusesAnEditedFile(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"garbage in the middle": "{\"kind\":\"merge\",\"federatedUsername\":\"a\"}\nnot json\n{\"kind\":\"done\",\"federatedUsername\":\"a\"}\n",
		"unknown kind":          "{\"kind\":\"restore\",\"federatedUsername\":\"a\"}\n",
	} {
		path := filepath.Join(t.TempDir(), "backup.jsonl")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := OpenJournal(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line") {
			t.Errorf("%s: error %v, want one naming the file and line", name, err)
		}
	}
}
