package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Record kinds of the backup file.
const (
	// KindMerge is written, and fsynced, before the federated user is
	// deleted. It holds everything needed to finish or undo the merge.
	KindMerge = "merge"
	// KindDone is written once the identity is linked and the groups copied.
	KindDone = "done"
	// KindAbandoned is written when a resumed merge finds its federated user
	// was never deleted: the next scan treats that user afresh.
	KindAbandoned = "abandoned"
)

// UserRecord is a user as the backup keeps it.
type UserRecord struct {
	Username     string            `json:"username"`
	Sub          string            `json:"sub"`
	Status       string            `json:"status,omitempty"`
	Enabled      bool              `json:"enabled"`
	Created      *time.Time        `json:"created,omitempty"`
	LastModified *time.Time        `json:"lastModified,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	Groups       []string          `json:"groups,omitempty"`
}

// BackupRecord is one line of the backup file (JSON lines).
type BackupRecord struct {
	Kind       string    `json:"kind"`
	Time       time.Time `json:"time"`
	UserPoolID string    `json:"userPoolId"`
	Provider   string    `json:"provider"`
	// FederatedUsername identifies the merge in every kind of record.
	FederatedUsername string `json:"federatedUsername"`
	// The rest is set on merge records only.
	Subject   string      `json:"subject,omitempty"`
	Federated *UserRecord `json:"federatedUser,omitempty"`
	Kept      *UserRecord `json:"keptUser,omitempty"`
}

// Journal is the backup file: append-only JSON lines, each fsynced before
// Append returns. It holds personal data, so it is created mode 0600.
type Journal struct {
	path    string
	file    *os.File
	pending []BackupRecord // merge records without a done or abandoned record, in file order
}

// OpenJournal opens (creating it if needed) the backup file at path and reads
// the merges it holds that never finished. A last line cut short by a crash
// is removed: its merge record was never complete, so its delete never
// started.
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600) //nolint:gosec // G304: the path is the operator's own --backup or --resume flag.
	created := err == nil
	if errors.Is(err, fs.ErrExist) {
		f, err = os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0) //nolint:gosec // G304: as above.
	}
	if err != nil {
		return nil, fmt.Errorf("open backup file: %w", err)
	}
	if created {
		// The file's own fsync does not make its directory entry durable: after
		// a power loss the records could be on disk with no name to find them.
		if err := syncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, fmt.Errorf("create backup file %s: sync its directory: %w", path, err)
		}
	}
	pending, keep, err := readPending(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := repairTail(f, keep); err != nil {
		f.Close()
		return nil, fmt.Errorf("repair backup file %s: %w", path, err)
	}
	return &Journal{path: path, file: f, pending: pending}, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // G304: the directory of the operator's own backup file.
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}

// repairTail cuts the file to its first keep bytes and makes it end in a
// newline, so the next record starts a line of its own.
func repairTail(f *os.File, keep int64) error {
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if keep < info.Size() {
		if err := f.Truncate(keep); err != nil {
			return err
		}
	}
	if keep == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, keep-1); err != nil {
		return err
	}
	if last[0] != '\n' {
		_, err = f.Write([]byte("\n"))
	}
	return err
}

// readPending parses a backup file. keep is the length of its well-formed
// part: all of it, or all but a last line cut short.
func readPending(r io.Reader, path string) (pending []BackupRecord, keep int64, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, fmt.Errorf("read backup file %s: %w", path, err)
	}
	keep = int64(len(data))
	cut := len(data) > 0 && data[len(data)-1] != '\n'
	lines := bytes.Split(data, []byte("\n"))
	index := map[string]int{}
	var order []BackupRecord
	finished := map[int]bool{}
	for n, raw := range lines {
		text := bytes.TrimSpace(raw)
		if len(text) == 0 {
			continue
		}
		var rec BackupRecord
		if err := json.Unmarshal(text, &rec); err != nil {
			if cut && n == len(lines)-1 {
				keep -= int64(len(raw)) // the crash cut this record short
				break
			}
			return nil, 0, fmt.Errorf("backup file %s line %d is not a backup record (%w): it was edited or is not a reconcile backup; restore it from your copy", path, n+1, err)
		}
		key := rec.UserPoolID + "\x00" + rec.FederatedUsername
		switch rec.Kind {
		case KindMerge:
			index[key] = len(order)
			order = append(order, rec)
		case KindDone, KindAbandoned:
			if i, ok := index[key]; ok {
				finished[i] = true
			}
		default:
			return nil, 0, fmt.Errorf("backup file %s line %d has unknown kind %q: restore it from your copy", path, n+1, rec.Kind)
		}
	}
	return pendingOf(order, finished), keep, nil
}

// readJournal reads the unfinished merges of a backup file without opening
// it for writing: a dry run changes no file.
func readJournal(path string) ([]BackupRecord, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the path is the operator's own --resume flag.
	if err != nil {
		return nil, fmt.Errorf("open resume file: %w", err)
	}
	defer f.Close()
	pending, _, err := readPending(f, path)
	return pending, err
}

// Path is where the journal is.
func (j *Journal) Path() string { return j.path }

// Pending returns the merges the file holds that never finished.
func (j *Journal) Pending() []BackupRecord { return j.pending }

// Append writes rec as one line and fsyncs the file.
func (j *Journal) Append(rec BackupRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode backup record: %w", err)
	}
	if _, err := j.file.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write backup file %s: %w", j.path, err)
	}
	if err := j.file.Sync(); err != nil {
		return fmt.Errorf("sync backup file %s: %w", j.path, err)
	}
	return nil
}

// Close closes the file.
func (j *Journal) Close() error {
	if err := j.file.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("close backup file %s: %w", j.path, err)
	}
	return nil
}

func pendingOf(order []BackupRecord, finished map[int]bool) []BackupRecord {
	var pending []BackupRecord
	for i, rec := range order {
		if !finished[i] {
			pending = append(pending, rec)
		}
	}
	return pending
}
