// The filing form's rules, the same as intake's (services/intake/schemas.py), with its Chinese
// messages, so most mistakes are shown before anything is sent.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

const chineseCount = (text) => (text.match(/[\u3400-\u9fff]/g) || []).length;

// Characters as intake counts them (code points), so an emoji is one character, not two.
const charCount = (text) => Array.from(text).length;

function normaliseMobile(value) {
  let digits = value.replace(/[\s\-()]/g, "");
  if (digits.startsWith("+86")) { digits = digits.slice(3); }
  else if (digits.startsWith("86") && digits.length === 13) { digits = digits.slice(2); }
  return digits;
}

// GB 11643: 17 digits, a check character, a plausible birth date.
function validIdCard(value) {
  const n = value.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(n)) { return false; }
  const year = Number(n.slice(6, 10)), month = Number(n.slice(10, 12)), day = Number(n.slice(12, 14));
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31) { return false; }
  let total = 0;
  for (let i = 0; i < 17; i++) { total += Number(n[i]) * ID_WEIGHTS[i]; }
  return ID_CHECK[total % 11] === n[17];
}

function within(max, tooLong) {
  return (v) => (charCount(v) > max ? tooLong : null);
}

function required(missing, next) {
  return (v) => (v ? next(v) : missing);
}

export const RULES = {
  "complainant.name": required("请填写姓名", within(40, "姓名最多 40 个字")),
  "complainant.mobile": required("请填写手机号码", (v) =>
    /^1[3-9]\d{9}$/.test(normaliseMobile(v)) ? null : "手机号码格式不正确，应为 11 位中国大陆手机号"),
  "complainant.id_card": (v) => (!v || validIdCard(v) ? null : "身份证号码无效（校验位不符或出生日期不正确）"),
  "address.street": required("请选择街道", () => null),
  "address.community": required("请填写社区", within(40, "社区名称最多 40 个字")),
  "address.detail": within(200, "详细地址最多 200 个字"),
  "title": required("请填写标题", (v) => (charCount(v) < 4 ? "标题至少 4 个字" : within(60, "标题最多 60 个字")(v))),
  "content": required("请填写诉求内容", (v) => {
    if (charCount(v) < 10) { return "诉求内容至少 10 个字"; }
    if (charCount(v) > 5000) { return "诉求内容最多 5000 个字"; }
    return chineseCount(v) >= 2 ? null : "请用中文描述您的诉求";
  }),
  "respondent": within(100, "最多 100 个字"),
  "desired_outcome": within(1000, "最多 1000 个字"),
};
