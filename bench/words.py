"""Word lists for the synthetic archive of bench/archive.py: the vocabulary of provincial news."""

from __future__ import annotations

# fmt: off
PLACES = [
    "Lạng Sơn", "Cao Bằng", "Hà Giang", "Lào Cai", "Điện Biên", "Lai Châu", "Sơn La", "Yên Bái",
    "Tuyên Quang", "Thái Nguyên", "Bắc Kạn", "Bắc Giang", "Quảng Ninh", "Hải Phòng", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định",
    "Phú Yên", "Khánh Hòa", "Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng", "Bình Phước",
    "Tây Ninh", "Đồng Nai", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long", "Đồng Tháp",
    "An Giang", "Kiên Giang", "Cần Thơ", "Sóc Trăng", "Bạc Liêu", "Cà Mau", "Cao Lộc", "Văn Lãng",
    "Tràng Định", "Bình Gia", "Văn Quan", "Bắc Sơn", "Hữu Lũng", "Chi Lăng", "Lộc Bình", "Đình Lập",
    "Đồng Đăng", "Tân Thanh", "cửa khẩu Hữu Nghị", "Chi Ma", "Na Sầm", "Mẫu Sơn",
]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vi", "Lương", "Hà", "Đinh", "Đoàn", "Lý", "Nông", "Dương", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Quốc", "Thanh", "Hữu", "Ngọc", "Xuân"]
GIVEN = [
    "Hùng", "Dũng", "Lan", "Hoa", "Tuấn", "Hải", "Sơn", "Thắng", "Hưng", "Phương", "Hằng", "Thu",
    "Nam", "Long", "Quân", "Trung", "Đạt", "Định", "Đông", "Linh", "Huyền", "Cường", "Khánh",
]

# Each article is mostly about one topic, as real news is: a topic's words are frequent in
# its articles and rare elsewhere, while general words and function words are everywhere.
TOPICS = {
    "party": [
        "Đảng ủy", "Ban Thường vụ", "Ban Dân vận", "Tỉnh ủy", "Huyện ủy", "dân vận", "đảng viên",
        "chi bộ", "nghị quyết", "chỉ thị", "học tập và làm theo tư tưởng", "đạo đức", "phong cách",
        "Bí thư", "Phó Bí thư", "công tác xây dựng Đảng", "kiểm tra", "giám sát", "dân vận khéo",
        "Mặt trận Tổ quốc", "đoàn thể", "quy chế dân chủ", "kết nạp đảng viên", "sinh hoạt chuyên đề",
    ],
    "agriculture": [
        "nông thôn mới", "nông dân", "hợp tác xã", "cây hồi", "na Chi Lăng", "quýt", "thạch đen", "chè",
        "lúa", "ngô", "chăn nuôi", "thu hoạch", "mùa vụ", "giống cây trồng", "phân bón", "năng suất",
        "sản lượng", "tiêu thụ nông sản", "sản phẩm OCOP", "vùng nguyên liệu", "Hội Nông dân",
        "khuyến nông", "thủy lợi", "kênh mương",
    ],
    "border": [
        "cửa khẩu", "cửa khẩu Hữu Nghị", "biên giới", "mốc giới", "Bộ đội Biên phòng", "xuất nhập khẩu",
        "hàng hóa", "thông quan", "xe chở hàng", "lối mở", "kho bãi", "logistics", "hải quan",
        "kim ngạch", "buôn lậu", "gian lận thương mại", "đường biên", "tuần tra song phương",
        "Đồng Đăng", "Tân Thanh", "Chi Ma", "Bằng Tường",
    ],
    "disaster": [
        "phòng chống thiên tai", "thiên tai", "mưa lũ", "sạt lở", "ngập úng", "lốc xoáy", "mưa đá",
        "rét đậm rét hại", "tìm kiếm cứu nạn", "di dời", "thiệt hại", "khắc phục hậu quả",
        "cảnh báo", "ứng phó", "hồ đập", "mực nước", "cứu trợ", "hỗ trợ khẩn cấp",
    ],
    "digital": [
        "chuyển đổi số", "cải cách hành chính", "dịch vụ công trực tuyến", "cơ sở dữ liệu",
        "định danh điện tử", "thanh toán không dùng tiền mặt", "chính quyền số", "hạ tầng số",
        "tổ công nghệ số cộng đồng", "ứng dụng", "phần mềm", "hồ sơ", "một cửa", "chữ ký số",
    ],
    "health": [
        "y tế", "bệnh viện", "trạm y tế", "bác sĩ", "khám chữa bệnh", "tiêm chủng", "dịch bệnh",
        "sốt xuất huyết", "bảo hiểm y tế", "an toàn thực phẩm", "thuốc", "điều trị", "bệnh nhân",
        "dinh dưỡng", "dân số", "chăm sóc sức khỏe",
    ],
    "education": [
        "giáo dục", "học sinh", "giáo viên", "trường học", "năm học mới", "kỳ thi tốt nghiệp",
        "học sinh giỏi", "khuyến học", "sách giáo khoa", "chương trình giáo dục phổ thông",
        "Sở Giáo dục và Đào tạo", "bán trú", "phòng học", "đào tạo nghề",
    ],
    "culture": [
        "văn hóa", "lễ hội", "di tích", "du lịch", "Mẫu Sơn", "động Tam Thanh", "chợ phiên",
        "hát then", "đàn tính", "dân tộc Tày", "dân tộc Nùng", "người Dao", "homestay", "du khách",
        "thể thao", "giải bóng đá", "văn nghệ", "bảo tồn",
    ],
    "economy": [
        "kinh tế", "đầu tư", "dự án", "doanh nghiệp", "khu công nghiệp", "ngân sách", "thu ngân sách",
        "giải ngân", "vốn đầu tư công", "tăng trưởng", "thuế", "ngân hàng", "tín dụng", "vốn vay",
        "cao tốc", "đường giao thông", "công trình", "giải phóng mặt bằng", "nhà đầu tư",
    ],
    "security": [
        "an ninh", "trật tự", "Công an", "an toàn giao thông", "tội phạm", "ma túy", "vi phạm",
        "xử phạt", "phòng cháy chữa cháy", "quốc phòng", "dân quân tự vệ", "diễn tập", "tuyển quân",
        "lực lượng vũ trang", "tai nạn giao thông",
    ],
    "welfare": [
        "an sinh xã hội", "giảm nghèo", "hộ nghèo", "nhà ở", "người có công", "thương binh", "liệt sĩ",
        "gia đình chính sách", "quà", "tết", "việc làm", "lao động", "trẻ em", "người cao tuổi",
        "Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên", "hiến máu", "tình nguyện",
    ],
    "government": [
        "Ủy ban nhân dân", "Hội đồng nhân dân", "kỳ họp", "đại biểu", "tiếp xúc cử tri", "chất vấn",
        "Chủ tịch", "Phó Chủ tịch", "Giám đốc", "sở", "ban", "ngành", "báo cáo", "kế hoạch",
        "đề án", "quy định", "văn bản", "sáp nhập", "bộ máy", "tinh gọn",
    ],
}

GENERAL = [
    "tỉnh", "huyện", "xã", "thị trấn", "thành phố", "thôn", "bản", "người dân", "cán bộ", "đồng bào",
    "công tác", "nhiệm vụ", "mục tiêu", "chỉ tiêu", "kết quả", "hiệu quả", "chất lượng", "phong trào",
    "thi đua", "khen thưởng", "hội nghị", "hội thảo", "tọa đàm", "lớp tập huấn", "chương trình",
    "năm 2024", "quý III", "6 tháng đầu năm", "tổ chức", "triển khai", "thực hiện", "nâng cao",
    "tăng cường", "đẩy mạnh", "phát huy", "tham dự", "chủ trì", "chỉ đạo", "hướng dẫn", "hỗ trợ",
    "trao tặng", "khai mạc", "bế mạc", "phát động", "ký kết", "đánh giá", "tổng kết", "sơ kết",
    "thảo luận", "thống nhất", "đề xuất", "kiến nghị", "giải quyết", "bảo đảm", "duy trì", "xây dựng",
    "phát triển", "đạt", "vượt", "tăng", "giảm", "hoàn thành", "ban hành", "thăm", "làm việc với",
    "tuyên truyền", "vận động", "đóng góp", "dân tộc thiểu số", "vùng sâu vùng xa", "môi trường",
]

FUNCTION_WORDS = [
    "của", "và", "các", "những", "trong", "với", "cho", "được", "đã", "đang", "sẽ", "tại", "trên",
    "theo", "về", "để", "từ", "có", "là", "một", "nhiều", "cùng", "năm", "ngày", "tháng", "đến",
    "nhằm", "qua", "này", "đó", "cũng", "như", "người", "đơn vị", "địa phương", "toàn tỉnh",
    "trên địa bàn", "hiện nay", "thời gian qua", "bên cạnh đó", "đồng thời", "tích cực", "kịp thời",
]

# 10 typical queries, each followed by the same words typed without diacritics.
QUERIES = [
    "dân vận", "dan van",
    "Lạng Sơn", "lang son",
    "Đà Nẵng", "da nang",
    "nông thôn mới", "nong thon moi",
    "Đảng ủy", "dang uy",
    "cửa khẩu Hữu Nghị", "cua khau huu nghi",
    "phòng chống thiên tai", "phong chong thien tai",
    "chuyển đổi số", "chuyen doi so",
    "Nguyễn Văn Hùng", "nguyen van hung",
    "Đồng Đăng", "dong dang",
]
# fmt: on
