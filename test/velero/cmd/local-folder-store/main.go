// local-folder-store is a Velero object-store plugin (Velero's plugin framework, loaded by
// `velero server` from --plugin-dir) that keeps a BackupStorageLocation's bucket in a folder on
// this host: <root>/<bucket>/<key>. The root comes from the BSL's config key "root". It lets the
// differential suite (test/e2e-velero) run real Velero backups with no cloud and no MinIO.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/pflag"
	"github.com/vmware-tanzu/velero/pkg/plugin/framework"
)

type folderStore struct {
	root string
	log  logrus.FieldLogger
}

func (s *folderStore) Init(config map[string]string) error {
	root := config["root"]
	if root == "" || !filepath.IsAbs(root) {
		return fmt.Errorf("config.root must be an absolute folder path, got %q", root)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	s.root = root
	return nil
}

// path maps bucket and key below the root, refusing anything that would leave it.
func (s *folderStore) path(bucket, key string) (string, error) {
	p := filepath.Join(s.root, bucket, filepath.FromSlash(key))
	if p != filepath.Join(s.root, bucket) && !strings.HasPrefix(p, filepath.Join(s.root, bucket)+string(filepath.Separator)) {
		return "", fmt.Errorf("key %q leaves the bucket", key)
	}
	return p, nil
}

func (s *folderStore) PutObject(bucket, key string, body io.Reader) error {
	p, err := s.path(bucket, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

func (s *folderStore) ObjectExists(bucket, key string) (bool, error) {
	p, err := s.path(bucket, key)
	if err != nil {
		return false, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil && st.Mode().IsRegular(), err
}

func (s *folderStore) GetObject(bucket, key string) (io.ReadCloser, error) {
	p, err := s.path(bucket, key)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// keys lists every object key of the bucket that starts with prefix, sorted.
func (s *folderStore) keys(bucket, prefix string) ([]string, error) {
	base := filepath.Join(s.root, bucket)
	var out []string
	err := filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || strings.HasSuffix(p, ".part") {
			return nil
		}
		rel, err := filepath.Rel(base, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if strings.HasPrefix(key, prefix) {
			out = append(out, key)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func (s *folderStore) ListCommonPrefixes(bucket, prefix, delimiter string) ([]string, error) {
	keys, err := s.keys(bucket, prefix)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		rest := strings.TrimPrefix(k, prefix)
		i := strings.Index(rest, delimiter)
		if i < 0 {
			continue
		}
		cp := prefix + rest[:i+len(delimiter)]
		if !seen[cp] {
			seen[cp] = true
			out = append(out, cp)
		}
	}
	return out, nil
}

func (s *folderStore) ListObjects(bucket, prefix string) ([]string, error) {
	return s.keys(bucket, prefix)
}

func (s *folderStore) DeleteObject(bucket, key string) error {
	p, err := s.path(bucket, key)
	if err != nil {
		return err
	}
	err = os.Remove(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func (s *folderStore) CreateSignedURL(bucket, key string, _ time.Duration) (string, error) {
	p, err := s.path(bucket, key)
	if err != nil {
		return "", err
	}
	return "file://" + p, nil
}

func main() {
	framework.NewServer().
		BindFlags(pflag.CommandLine).
		RegisterObjectStore("arkhooks.test/local-folder", func(log logrus.FieldLogger) (any, error) {
			return &folderStore{log: log}, nil
		}).
		Serve()
}
