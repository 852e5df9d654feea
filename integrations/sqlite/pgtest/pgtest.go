// Package pgtest gives tests a PostgreSQL server and an empty database of
// their own on it. It is imported by tests only.
//
// The server is the one PORTOLAN_TEST_PG names (a connection string, e.g.
// "host=/var/run/postgresql user=me dbname=postgres"), or else a throw-away
// cluster that the first test to ask starts from Debian's postgresql
// package (initdb into a temporary folder, as the postgres user when the
// tests run as root, listening on a Unix socket only) and Main stops when
// the package's tests end. The PostgreSQL half of the suite is never
// skipped: without a server it fails, saying what to install.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvServer names the environment variable that points the tests at a
// server of one's own instead of a throw-away cluster.
const EnvServer = "PORTOLAN_TEST_PG"

var (
	once    sync.Once
	server  string
	cluster *throwAway
	failure error
)

// EnvStore set to "postgres" runs a store package's tests on PostgreSQL
// instead of SQLite (`make test` runs them both ways).
const EnvStore = "PORTOLAN_TEST_STORE"

// OnPostgres says whether the store tests run on PostgreSQL this time.
func OnPostgres() bool { return os.Getenv(EnvStore) == "postgres" }

// Only skips a test that needs the team's server (what it needs it for)
// when the tests run on SQLite: it runs in the PostgreSQL half of make test.
func Only(tb testing.TB, what string) {
	tb.Helper()
	if !OnPostgres() {
		tb.Skip(what + ": this runs in the PostgreSQL half of make test (" + EnvStore + "=postgres)")
	}
}

// Run runs a package's tests and stops the throw-away cluster after them;
// TestMain exits with what it returns.
func Run(m *testing.M) int {
	code := m.Run()
	for _, name := range fixtures {
		drop(name)
	}
	if cluster != nil {
		cluster.stop()
	}
	return code
}

// Server is the connection string of the tests' PostgreSQL server.
func Server(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		if s := os.Getenv(EnvServer); s != "" {
			server = s
			return
		}
		cluster, failure = start()
		if failure == nil {
			server = cluster.dsn
		}
	})
	if failure != nil {
		tb.Fatalf("no PostgreSQL server for the tests: %v\n(install Debian's postgresql, as `make test` does, or set %s to a server's connection string)", failure, EnvServer)
	}
	return server
}

// NewDatabase creates an empty database for one test, dropped when it ends,
// and returns its address (a postgres:// URL, as a user would give it).
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	return CopyDatabase(tb, "")
}

// CopyDatabase creates a database for one test that is a copy of the one
// at src ("": an empty one), dropped when the test ends, and returns its
// address. Nobody may be connected to src meanwhile.
func CopyDatabase(tb testing.TB, src string) string {
	tb.Helper()
	name, dsn, err := create(tb, src)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { drop(name) })
	return dsn
}

// Fixture creates a database that lasts until the package's tests end (a
// fixture to copy), and returns its address.
func Fixture(tb testing.TB) string {
	tb.Helper()
	name, dsn, err := create(tb, "")
	if err != nil {
		tb.Fatal(err)
	}
	mu.Lock()
	fixtures = append(fixtures, name)
	mu.Unlock()
	return dsn
}

var (
	mu       sync.Mutex
	fixtures []string
)

func create(tb testing.TB, src string) (name, dsn string, err error) {
	srv := Server(tb)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, srv)
	if err != nil {
		return "", "", fmt.Errorf("connecting to the test server: %w", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name = "portolan_test_" + hex.EncodeToString(b)
	template := "template0"
	if src != "" {
		cfg, err := pgx.ParseConfig(src)
		if err != nil {
			return "", "", err
		}
		template = cfg.Database
	}
	// A large copy (a benchmark's data set) is made file by file, with a
	// checkpoint: copied block by block through the write-ahead log, it
	// leaves gigabytes for the server to write out during what is measured next.
	// (PostgreSQL 15 and later; before, every copy was made file by file.)
	strategy := ""
	var size, version int64
	if err := admin.QueryRow(ctx, `SELECT pg_database_size($1), current_setting('server_version_num')::bigint`, template).Scan(&size, &version); err == nil &&
		size > 256<<20 && version >= 150000 {
		strategy = " STRATEGY FILE_COPY"
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE `+template+` ENCODING 'UTF8'`+strategy); err != nil {
		return "", "", fmt.Errorf("creating a test database: %w", err)
	}
	cfg, err := pgx.ParseConfig(srv)
	if err != nil {
		return "", "", err
	}
	q := url.Values{"host": {cfg.Host}, "port": {strconv.Itoa(int(cfg.Port))}, "sslmode": {"disable"}}
	return name, (&url.URL{Scheme: "postgres", User: url.User(cfg.User), Path: "/" + name, RawQuery: q.Encode()}).String(), nil
}

func drop(name string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, server)
	if err != nil {
		return
	}
	defer c.Close(ctx)
	_, _ = c.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	// The team's roles are the server's, named after the database (its
	// group roles, and the people tests add with Login).
	rows, err := c.Query(ctx, `SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1) ORDER BY rolcanlogin DESC`, name+"_")
	if err != nil {
		return
	}
	roles, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, r := range roles {
		_, _ = c.Exec(ctx, `DROP ROLE IF EXISTS `+pgx.Identifier{r}.Sanitize())
	}
}

// Login is a login name for a person a test adds to the database at dsn:
// named after the database, so that the server forgets it with the database.
func Login(tb testing.TB, dsn, who string) string {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg.Database + "_" + who
}

// As is the address dsn signed in as login with password.
func As(dsn, login, password string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.User = url.UserPassword(login, password)
	return u.String()
}

// PasswordsChecked says whether the server checks the passwords of people
// (the throw-away cluster does: only its superuser is trusted).
func PasswordsChecked() bool { return os.Getenv(EnvServer) == "" }

// throwAway is a cluster in a temporary folder.
type throwAway struct {
	dir, bin string
	as       *syscall.Credential // the postgres user, when the tests run as root
	dsn      string
}

func start() (*throwAway, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	stopOrphans(bin)
	dir, err := os.MkdirTemp("", "portolan-pg-")
	if err != nil {
		return nil, err
	}
	// The test binary that owns the cluster: a later run stops a cluster
	// whose owner was killed before it could.
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	c := &throwAway{dir: dir, bin: bin}
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and there is no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.as = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	// Its superuser is trusted; everyone else signs in with a password, as
	// on a team's server.
	hba := "local all postgres trust\nlocal all all scram-sha-256\n"
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if c.as != nil {
		_ = os.Chown(filepath.Join(data, "pg_hba.conf"), int(c.as.Uid), int(c.as.Gid))
	}
	opts := fmt.Sprintf("-c listen_addresses='' -c unix_socket_directories='%s' -p 5432 -c fsync=off -c synchronous_commit=off "+
		"-c full_page_writes=off -c max_connections=200", dir)
	if out, err := c.run("pg_ctl", "-D", data, "-w", "-l", filepath.Join(dir, "log"), "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	c.dsn = fmt.Sprintf("host=%s port=5432 user=postgres dbname=postgres sslmode=disable", dir)
	return c, nil
}

func (c *throwAway) run(prog string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, prog), args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if c.as != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.as}
	}
	return cmd.CombinedOutput()
}

func (c *throwAway) stop() {
	_, _ = c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

// stopOrphans stops and removes the throw-away clusters of test binaries
// that ended without stopping them (killed, timed out).
func stopOrphans(bin string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "portolan-pg-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue // its owner still runs
		}
		c := &throwAway{dir: dir, bin: bin}
		if info, err := os.Stat(dir); err == nil && os.Geteuid() == 0 {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				c.as = &syscall.Credential{Uid: st.Uid, Gid: st.Gid}
			}
		}
		c.stop()
	}
}

// binDir finds PostgreSQL's programs: Debian keeps them per version under
// /usr/lib/postgresql; elsewhere initdb is on the PATH.
func binDir() (string, error) {
	if found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(found) > 0 {
		sort.Slice(found, func(i, j int) bool { return version(found[i]) < version(found[j]) })
		return filepath.Dir(found[len(found)-1]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL's initdb is not installed")
}

func version(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}
