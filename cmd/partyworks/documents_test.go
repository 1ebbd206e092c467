package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/vault"
)

// TestKeysRotate: the real binary creates a key file, a classified file is
// sealed with it, "keys rotate" re-wraps it and drops the old key, and the
// file still opens.
func TestKeysRotate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pw.db")
	keyFile := filepath.Join(dir, "keys")
	t.Setenv("PARTYWORKS_KEY_FILE", keyFile)
	t.Setenv("PARTYWORKS_FILES", filepath.Join(dir, "files"))
	if out := ok(t, db, "keys", "init"); !strings.Contains(out, "created") {
		t.Fatalf("init: %s", out)
	}
	if r := pw(t, db, "", "keys", "init"); r.code == 0 {
		t.Error("keys init overwrote an existing key file")
	}
	ctx := context.Background()
	store, err := sqldb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	units := sqldb.NewUnitService(store)
	if _, err := units.ImportUnits(ctx, partyworks.UnitImport{Effective: mustDate(t, "2020-01-01"),
		Rows: []partyworks.UnitRow{{Line: 2, Code: "22", Name: "Tỉnh ủy Quảng Ninh", Kind: partyworks.KindProvince}}}); err != nil {
		t.Fatal(err)
	}
	keys, err := vault.OpenKeyRing(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := vault.New(filepath.Join(dir, "files"), keys)
	docs := sqldb.NewDocumentService(store, v)
	qn, _ := units.FindUnitByCode(ctx, "22", partyworks.Date{})
	sym, _ := partyworks.ParseSymbol("36-HD/VPTW")
	d := &partyworks.Document{UnitID: qn.ID, Direction: partyworks.Incoming, Symbol: sym, Issued: mustDate(t, "2025-01-02"),
		Received: mustDate(t, "2025-01-03"), Summary: "Hướng dẫn mật", Secrecy: partyworks.Confidential}
	sys := partyworks.Viewer{System: true}
	if err := docs.RegisterDocument(ctx, sys, d); err != nil {
		t.Fatal(err)
	}
	f, err := docs.AttachFile(ctx, sys, d.ID, "huong-dan.txt", []byte("nội dung mật"))
	if err != nil {
		t.Fatal(err)
	}
	old := keys.Current()
	out := ok(t, db, "keys", "rotate")
	if !strings.Contains(out, "re-wrapped 1 data keys; removed 1 old keys") {
		t.Errorf("rotate: %s", out)
	}
	b, _ := os.ReadFile(keyFile)
	if strings.Contains(string(b), old) {
		t.Error("the old key is still in the key file")
	}
	// The running service (this process) meets the new key id and reloads.
	if _, data, err := docs.OpenFile(ctx, sys, d.ID, f.ID); err != nil || string(data) != "nội dung mật" {
		t.Fatalf("after rotation: %q %v", data, err)
	}
	if out := ok(t, db, "documents", "list", "22", "in"); !strings.Contains(out, "36-HD/VPTW") || !strings.Contains(out, "Mật") {
		t.Errorf("documents list: %s", out)
	}
	store.Close()
}

func mustDate(t *testing.T, s string) partyworks.Date {
	d, err := partyworks.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
