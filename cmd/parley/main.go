// Command parley is the whole helpdesk in one binary.
//
//	parley serve          run a node (zero config: SQLite + embedded NATS in ./data)
//	parley migrate        apply database migrations and exit
//	parley admin create   add an agent from the command line
//	parley bench …        load generator and benchmarks (see docs/benchmarks.md)
//	parley version        print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/app"
	"github.com/parleyhq/parley/bench"
	"github.com/parleyhq/parley/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "parley:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: parley <command> [flags]

commands:
  serve          run Parley (default: SQLite and embedded NATS under ./data, HTTP on :8080)
                 --demo adds a simulated Meta platform with customers writing on Messenger,
                 Page comments, Instagram and WhatsApp, to try Parley without a Meta account
  migrate        apply database migrations and exit
  admin create   create an agent: --email --password [--name] [--role admin|supervisor|agent]
  bench          load generator: parley bench ingest|query|seed -h
  version        print the version

Every serve flag can also be set as PARLEY_<FLAG> in the environment or in a JSON --config file.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "migrate":
		return migrate(ctx, args[1:], stderr)
	case "admin":
		return admin(ctx, args[1:], stdout, stderr)
	case "bench":
		return bench.Main(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "parley", parley.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func loadConfig(name string, args []string, stderr io.Writer) (app.Config, *slog.Logger, error) {
	fs := flag.NewFlagSet("parley "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := app.Load(fs, args)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, newLogger(cfg, stderr), nil
}

func newLogger(cfg app.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, logger, err := loadConfig("serve", args, stderr)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		a.Close()
		return err
	}
	<-ctx.Done()
	logger.Info("shutting down: draining in-flight work", "grace", cfg.ShutdownGrace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := a.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped cleanly")
	return nil
}

func migrate(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, logger, err := loadConfig("migrate", args, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return err
	}
	if err := store.Migrate(ctx, app.DatabaseDSN(cfg)); err != nil {
		return err
	}
	logger.Info("database is up to date", "database", app.DatabaseDSN(cfg))
	return nil
}

func admin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: parley admin create --email E --password P [--name N] [--role admin]")
	}
	fs := flag.NewFlagSet("parley admin create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail address (sign-in name)")
	password := fs.String("password", os.Getenv("PARLEY_NEW_PASSWORD"), "password (or env PARLEY_NEW_PASSWORD)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "admin", "admin, supervisor or agent")
	cfg, err := app.Load(fs, args[1:]) // the database flags of serve apply too
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	st, err := app.OpenStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := app.CreateAgent(ctx, st, *email, *name, *password, parley.Role(*role))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (id %d)\n", a.Role, a.Email, a.ID)
	return nil
}
