package demo

import (
	"context"
	"fmt"
	"time"

	"partyworks"
	"partyworks/sqldb"
)

// The documents of the story: what the province received from the centre
// (18-NQ/TW, 35-CT/TW, 45-CT/TW, 60-NQ/TW, the Standing Committee of the
// National Assembly's resolution on Quảng Ninh's communes), what it issued
// (439-KH/TU, the 2025 reorganization decisions, the year-end conference's
// report and conclusions), and two classified personnel papers that only
// cleared demo users see. Symbols are public; dates outside the seed's
// story are approximate; names of people are fictional. Files are not
// seeded (the demo has no key file), only the register lines.
type demoDoc struct {
	dir       partyworks.Direction
	unit      string
	symbol    string // incoming, or an outgoing number already carried ("" : numbered now)
	typ       string
	issuer    string
	issued    string
	received  string
	summary   string
	signer    string
	secrecy   partyworks.Secrecy
	urgency   partyworks.Urgency
	routeTo   string // a department to route an incoming document to
	routeDays int    // its deadline, in days from today
}

var demoDocs = []demoDoc{
	{dir: partyworks.Incoming, unit: provinceCode, symbol: "18-NQ/TW", issuer: "Ban Chấp hành Trung ương", issued: "2017-10-25", received: "2017-10-30",
		summary: "Nghị quyết Hội nghị lần thứ sáu Ban Chấp hành Trung ương khóa XII một số vấn đề về tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả"},
	{dir: partyworks.Incoming, unit: provinceCode, symbol: "35-CT/TW", issuer: "Bộ Chính trị", issued: "2024-06-14", received: "2024-06-17",
		summary: "Chỉ thị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng", urgency: partyworks.Urgent,
		routeTo: "22.BTC", routeDays: -30},
	{dir: partyworks.Outgoing, unit: provinceCode, symbol: "439-KH/TU", typ: "KH", issued: "2024-08-05",
		summary: "Kế hoạch thực hiện Chỉ thị số 35-CT/TW của Bộ Chính trị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu Đảng bộ tỉnh lần thứ XVI", signer: "Trần Văn Minh"},
	{dir: partyworks.Outgoing, unit: provinceCode, typ: "BC", issued: "2024-12-18",
		summary: "Báo cáo tổng kết công tác xây dựng Đảng năm 2024, phương hướng, nhiệm vụ năm 2025 của khối xây dựng Đảng", signer: "Trần Văn Minh"},
	{dir: partyworks.Outgoing, unit: provinceCode, typ: "TB", issued: "2024-12-20",
		summary: "Thông báo kết luận của Thường trực Tỉnh ủy tại Hội nghị tổng kết công tác xây dựng Đảng năm 2024 khối xây dựng Đảng", signer: "Trần Văn Minh"},
	{dir: partyworks.Outgoing, unit: provinceCode, symbol: "2286-QĐ/TU", typ: "QĐ", issued: "2025-02-28",
		summary: "Quyết định thành lập Ban Tuyên giáo và Dân vận Tỉnh ủy trên cơ sở hợp nhất Ban Tuyên giáo và Ban Dân vận Tỉnh ủy", signer: "Trần Văn Minh"},
	{dir: partyworks.Incoming, unit: provinceCode, symbol: "45-CT/TW", issuer: "Bộ Chính trị", issued: "2025-04-14", received: "2025-04-15",
		summary: "Chỉ thị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng (thay thế Chỉ thị số 35-CT/TW)", urgency: partyworks.VeryUrgent,
		routeTo: "22.BTC", routeDays: 14},
	{dir: partyworks.Incoming, unit: provinceCode, symbol: "60-NQ/TW", issuer: "Ban Chấp hành Trung ương", issued: "2025-04-12", received: "2025-04-14",
		summary: "Nghị quyết Hội nghị lần thứ 11 Ban Chấp hành Trung ương khóa XIII về sắp xếp đơn vị hành chính và tổ chức bộ máy"},
	{dir: partyworks.Incoming, unit: provinceCode, symbol: "1679/NQ-UBTVQH15", issuer: "Ủy ban Thường vụ Quốc hội", issued: "2025-06-16", received: "2025-06-18",
		summary: "Nghị quyết về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Quảng Ninh năm 2025", urgency: partyworks.FlashUrgent,
		routeTo: "22.VP", routeDays: 7},
	{dir: partyworks.Outgoing, unit: provinceCode, typ: "BC", issued: "2025-03-10", secrecy: partyworks.Secret,
		summary: "Báo cáo phương án nhân sự Ban Chấp hành Đảng bộ tỉnh khóa XVI, nhiệm kỳ 2025–2030 (dự kiến)", signer: "Trần Văn Minh"},
	{dir: partyworks.Outgoing, unit: provinceCode, typ: "BC", issued: "2025-03-12", secrecy: partyworks.Confidential,
		summary: "Danh sách quy hoạch cán bộ diện Ban Thường vụ Tỉnh ủy quản lý, nhiệm kỳ 2025–2030", signer: "Trần Văn Minh"},
	{dir: partyworks.Outgoing, unit: provinceCode, typ: "NQ", issued: "2025-09-27",
		summary: "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Quảng Ninh lần thứ XVI, nhiệm kỳ 2025–2030", signer: "Trần Văn Minh"},
}

// documents seeds the registers of the story, the issuers' abbreviations,
// the two congresses that cut the numbering and the clearances of the
// demo users (admin: Tuyệt mật; lanhdao.qn: Tối mật; tochuc.qn: Mật).
func (s *seeder) documents(ctx context.Context, db *sqldb.DB) (string, error) {
	docs := sqldb.NewDocumentService(db, nil)
	today := partyworks.Today(time.Now())
	unit := func(code string) (int64, error) {
		u, err := s.units.FindUnitByCode(ctx, code, today)
		if err != nil {
			return 0, fmt.Errorf("unit %s: %w", code, err)
		}
		return u.ID, nil
	}
	for code, abbr := range map[string]string{provinceCode: "TU", "22.BTC": "BTCTU", "22.VP": "VPTU"} {
		id, err := unit(code)
		if err != nil {
			return "", err
		}
		if err := docs.SetIssuer(ctx, id, abbr); err != nil {
			return "", err
		}
	}
	qn, err := unit(provinceCode)
	if err != nil {
		return "", err
	}
	for _, c := range []partyworks.Congress{
		{UnitID: qn, Label: "Đại hội đại biểu Đảng bộ tỉnh lần thứ XV", Opens: mustDate("2020-10-14"), Closes: mustDate("2020-10-16")},
		{UnitID: qn, Label: "Đại hội đại biểu Đảng bộ tỉnh lần thứ XVI", Opens: mustDate("2025-09-25"), Closes: mustDate("2025-09-27")},
	} {
		if err := docs.AddCongress(ctx, c); err != nil {
			return "", err
		}
	}
	sys := partyworks.Viewer{System: true}
	for _, dd := range demoDocs {
		d := &partyworks.Document{Direction: dd.dir, Issuer: dd.issuer, Issued: mustDate(dd.issued), Summary: dd.summary,
			Signer: dd.signer, Secrecy: dd.secrecy, Urgency: dd.urgency, Symbol: partyworks.Symbol{Type: dd.typ}}
		if d.UnitID, err = unit(dd.unit); err != nil {
			return "", err
		}
		if dd.received != "" {
			d.Received = mustDate(dd.received)
		}
		if dd.symbol != "" {
			if d.Symbol, err = partyworks.ParseSymbol(dd.symbol); err != nil {
				return "", err
			}
		}
		if dd.dir == partyworks.Outgoing && dd.symbol != "" {
			err = docs.RegisterLegacy(ctx, sys, d)
		} else {
			err = docs.RegisterDocument(ctx, sys, d)
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", dd.summary[:30], err)
		}
		if dd.routeTo != "" {
			to, err := unit(dd.routeTo)
			if err != nil {
				return "", err
			}
			if err := docs.RouteDocument(ctx, sys, &partyworks.DocumentRoute{DocumentID: d.ID, ToUnitID: to,
				Deadline: today.AddDate(0, 0, dd.routeDays), Note: "Tham mưu triển khai"}); err != nil {
				return "", err
			}
		}
	}
	for name, level := range map[string]partyworks.Secrecy{"admin": partyworks.TopSecret, "lanhdao.qn": partyworks.Secret, "tochuc.qn": partyworks.Confidential} {
		u, err := s.users.FindUserByUsername(ctx, name)
		if err != nil {
			return "", err
		}
		if err := docs.SetClearance(ctx, u.ID, level); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d documents, 2 of them classified", len(demoDocs)), nil
}

func mustDate(s string) partyworks.Date {
	d, err := partyworks.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
