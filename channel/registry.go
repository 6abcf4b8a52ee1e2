// Package channel holds the registry of channel adapters. Each platform
// lives in its own sub-package and registers a factory here; the core only
// ever sees parley.Adapter, so adding a channel never touches it.
package channel

import (
	"sort"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// Registry maps platforms to adapter factories and caches one adapter per
// channel version. It implements parley.AdapterSource.
type Registry struct {
	mu        sync.Mutex
	factories map[parley.Platform]parley.AdapterFactory
	preparers map[parley.Platform]func(*parley.Channel) error
	cache     map[int64]cached
}

type cached struct {
	updatedAt time.Time
	adapter   parley.Adapter
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{factories: map[parley.Platform]parley.AdapterFactory{},
		preparers: map[parley.Platform]func(*parley.Channel) error{}, cache: map[int64]cached{}}
}

// Register makes platform p available; a second registration replaces the first.
func (r *Registry) Register(p parley.Platform, f parley.AdapterFactory) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.factories[p] = f
}

// RegisterPreparer gives platform p a step that completes a new channel
// before it is stored, such as generating a secret Parley itself owns.
func (r *Registry) RegisterPreparer(p parley.Platform, prepare func(*parley.Channel) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.preparers[p] = prepare
}

// PrepareChannel completes a new channel with its platform's preparer, if
// it has one, and checks that its adapter can be built from the result, so
// that an admin learns at once what is missing instead of from a channel
// that never works.
func (r *Registry) PrepareChannel(ch *parley.Channel) error {
	r.mu.Lock()
	prepare := r.preparers[ch.Platform]
	r.mu.Unlock()
	if prepare != nil {
		if err := prepare(ch); err != nil {
			return err
		}
	}
	return r.CheckChannel(ch)
}

// CheckChannel reports why ch's adapter cannot be built, if it cannot; the
// adapter is not cached (ch may be a preview of an update).
func (r *Registry) CheckChannel(ch *parley.Channel) error {
	r.mu.Lock()
	f := r.factories[ch.Platform]
	r.mu.Unlock()
	if f == nil {
		return parley.Errorf(parley.EUNSUPPORTED, "no adapter for platform %q", ch.Platform)
	}
	_, err := f(ch)
	return err
}

// Platforms lists the registered platforms, sorted.
func (r *Registry) Platforms() []parley.Platform {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]parley.Platform, 0, len(r.factories))
	for p := range r.factories {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Adapter returns the adapter for ch, rebuilding it when the channel has
// changed since it was cached (new credentials take effect at once).
func (r *Registry) Adapter(ch *parley.Channel) (parley.Adapter, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.cache[ch.ID]; ok && c.updatedAt.Equal(ch.UpdatedAt) {
		return c.adapter, nil
	}
	f, ok := r.factories[ch.Platform]
	if !ok {
		return nil, parley.Errorf(parley.EUNSUPPORTED, "no adapter for platform %q", ch.Platform)
	}
	a, err := f(ch)
	if err != nil {
		return nil, err
	}
	r.cache[ch.ID] = cached{updatedAt: ch.UpdatedAt, adapter: a}
	return a, nil
}
