package web

import (
	"context"
	"sync"

	"puente/internal/directory"
)

// directoryCache keeps the directory's listings and their matching index
// between requests. Reading 10,000 listings takes a third of a second
// (store.BenchmarkListings10k), too long for every page that matches; the
// store's directory version, one cheap query, says when the copy is old.
// Each server keeps its own, so several servers on one PostgreSQL database
// stay right.
type directoryCache struct {
	mu       sync.Mutex
	loaded   bool
	version  int64
	listings []directory.Listing
	index    *directory.Index
}

// directory returns the listings Listings gives, and their index, as of
// now. Callers must not change the listings: every request shares them.
func (s *Server) directory(ctx context.Context) ([]directory.Listing, *directory.Index, error) {
	v, err := s.store.DirectoryVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := &s.dirCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded && c.version == v {
		return c.listings, c.index, nil
	}
	// A change between reading the version and the listings leaves a copy
	// newer than its version: the next request reads it again, no harm.
	ls, err := s.store.Listings(ctx)
	if err != nil {
		return nil, nil, err
	}
	c.loaded, c.version, c.listings, c.index = true, v, ls, directory.NewIndex(ls)
	return ls, c.index, nil
}
