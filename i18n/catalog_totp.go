package i18n

func init() { register(totpVI, totpEN, totpJA) }

var totpVI = map[string]string{
	"totp.title":      "Xác thực hai lớp",
	"totp.enrol":      "Đăng ký xác thực hai lớp",
	"totp.enrol_help": "Cài một ứng dụng tạo mã (Google Authenticator, Microsoft Authenticator…) trên điện thoại, thêm tài khoản bằng mã bí mật dưới đây, rồi nhập mật khẩu và mã 6 chữ số ứng dụng hiển thị.",
	"totp.secret":     "Mã bí mật",
	"totp.link":       "Liên kết",
	"totp.open_app":   "Mở bằng ứng dụng tạo mã",
	"totp.confirm":    "Xác nhận",
	"totp.enabled":    "Đã bật xác thực hai lớp.",
	"totp.remove":     "Gỡ xác thực hai lớp (mất điện thoại)",
}

var totpEN = map[string]string{
	"totp.title":      "Two-step verification",
	"totp.enrol":      "Set up two-step verification",
	"totp.enrol_help": "Install an authenticator app (Google Authenticator, Microsoft Authenticator…) on your phone, add an account with the secret below, then enter your password and the 6-digit code the app shows.",
	"totp.secret":     "Secret",
	"totp.link":       "Link",
	"totp.open_app":   "Open in the authenticator app",
	"totp.confirm":    "Confirm",
	"totp.enabled":    "Two-step verification is on.",
	"totp.remove":     "Remove two-step verification (lost phone)",
}

var totpJA = map[string]string{
	"totp.title":      "2段階認証",
	"totp.enrol":      "2段階認証の設定",
	"totp.enrol_help": "スマートフォンに認証アプリ（Google Authenticator、Microsoft Authenticator など）を入れ、下の秘密鍵でアカウントを追加してから、パスワードとアプリに表示される6桁のコードを入力してください。",
	"totp.secret":     "秘密鍵",
	"totp.link":       "リンク",
	"totp.open_app":   "認証アプリで開く",
	"totp.confirm":    "確認",
	"totp.enabled":    "2段階認証を有効にしました。",
	"totp.remove":     "2段階認証を解除（スマートフォン紛失）",
}
