package i18n

func init() { register(countryVI, countryEN, countryJA) }

// The whole country's member pages (national grants).
var countryVI = map[string]string{
	"nav.country":       "Toàn quốc",
	"country.name":      "Toàn quốc",
	"country.stats":     "Thống kê đảng viên toàn quốc",
	"country.provinces": "Theo tỉnh, thành phố",
}

var countryEN = map[string]string{
	"nav.country":       "Whole country",
	"country.name":      "Whole country",
	"country.stats":     "Member statistics of the whole country",
	"country.provinces": "By province and city",
}

var countryJA = map[string]string{
	"nav.country":       "全国",
	"country.name":      "全国",
	"country.stats":     "全国の党員統計",
	"country.provinces": "省・中央直轄市別",
}
