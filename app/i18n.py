"""Languages of the product: English and 中文.

Every user-facing string is a `Text`, a mapping with one entry per language, so that a test can
walk every catalogue and prove that nothing is missing in either language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
COOKIE = "lang"

Text = Mapping[str, str]


def text(en: str, zh: str) -> dict[str, str]:
    """Build a bilingual string."""
    return {"en": en, "zh": zh}


def pick(t: Text, lang: str) -> str:
    """Return the string of `t` in `lang` (English when `lang` is unknown)."""
    return t.get(lang) or t[DEFAULT_LANG]


class Refusal(ValueError):
    """A refused value, said in English (str(e), e.en) and Chinese (e.zh); a 422 words it in the reader's
    language through message(lang)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh

    def message(self, lang: str) -> str:
        """Return the refusal in `lang`."""
        return self.zh if lang == "zh" else self.en


def translator(catalogue: Mapping[str, Text]) -> Callable[..., str]:
    """Return t(key, lang, **fields): the catalogue's string in `lang`, with its {fields} filled in."""

    def t(key: str, lang: str, **fields: object) -> str:
        return pick(catalogue[key], lang).format(**fields)

    return t


# Strings of the shell: header, index, controls and states of the generic exercise page.
SHELL: dict[str, dict[str, str]] = {
    "site_name": text("Feedforward Lab", "前馈网络实验室"),
    "tagline": text(
        "Nine exercises on feedforward networks from chapter 4 of Neural Networks and Deep Learning "
        "(Qiu Xipeng), each one an experiment you can run.",
        "《神经网络与深度学习》（邱锡鹏）第 4 章前馈神经网络的九道习题，每一道都是一个可以亲手运行的实验。",
    ),
    "exercises": text("Exercises", "习题"),
    "exercise": text("Exercise", "习题"),
    "open": text("Open the experiment", "打开实验"),
    "not_available": text(
        "The experiment for this exercise is not available yet. The question is above; the answer "
        "and the interactive figures will follow.",
        "本题的实验尚未上线。题目见上方，解答与交互图表稍后推出。",
    ),
    "question": text("Question", "题目"),
    "answer": text("Answer", "解答"),
    "experiments": text("Experiments", "实验"),
    "controls": text("Controls", "参数"),
    "metrics": text("Metrics", "指标"),
    "figures": text("Figures", "图表"),
    "working": text("Computing…", "计算中…"),
    "ready": text("Up to date", "已更新"),
    "error": text("Error", "错误"),
    "request_failed": text("The request failed; try again.", "请求失败，请重试。"),
    "reset": text("Reset to defaults", "恢复默认值"),
    "language": text("Language", "语言"),
    "switch_to": text("中文", "English"),
    "home": text("Home", "首页"),
    "api_docs": text("API docs", "API 文档"),
    "skip": text("Skip to content", "跳到正文"),
    "yes": text("yes", "是"),
    "no": text("no", "否"),
    "footer": text(
        "Every figure is computed on the server by NumPy when you ask for it. Source questions: "
        "Qiu Xipeng, Neural Networks and Deep Learning, chapter 4.",
        "每张图都由服务器上的 NumPy 按需实时计算。题目出处：邱锡鹏《神经网络与深度学习》第 4 章。",
    ),
    "cancel": text("Cancel", "取消"),
    "cancelled": text("Cancelled: the server stopped computing. Change a control to run again.",
                      "已取消：服务器已停止计算。修改任一参数即可重新运行。"),
    "work_done": text("{n} network-epochs trained", "已训练 {n} 个网络·轮次"),
    "replay": text("Training replay", "训练回放"),
    "play": text("Play", "播放"),
    "pause": text("Pause", "暂停"),
    "replay_position": text("Epoch shown", "显示的轮次"),
    "step_back": text("One snapshot back", "后退一步"),
    "step_forward": text("One snapshot forward", "前进一步"),
    "epoch": text("epoch", "轮次"),
    "copy_link": text("Copy link", "复制链接"),
    "copied": text("Link copied", "链接已复制"),
    "download_json": text("Download JSON", "下载 JSON"),
    "download_csv": text("Download CSV", "下载 CSV"),
    "download_svg": text("Download plot as SVG", "下载 SVG 图"),
    "api_box": text("Use it from code", "在代码中调用"),
    "api_curl": text("With curl:", "用 curl："),
    "api_python": text("With Python (httpx):", "用 Python（httpx）："),
    "figure": text("Figure", "图"),
    "series": text("series", "条曲线"),
    "from_to": text("from {a} to {b}", "从 {a} 到 {b}"),
    "diverged": text("Finished — diverged: the loss became non-finite or ended more than 10 % above where it "
                     "started (see the loss curve).",
                     "已完成——发散：损失变为非有限值，或结束时比初始值高出 10% 以上（见损失曲线）。"),
    "some_diverged": text("Finished — the runs at the largest settings diverged, as the figure marks; the others "
                          "did not.",
                          "已完成——设置最大的几组训练发散（图中已标出），其余没有发散。"),
    "stalled": text("Finished — stalled: the loss stayed on a plateau (it fell by less than 5 %); nothing "
                    "diverged.",
                    "已完成——停滞：损失停在平台上（下降不到 5%），没有发散。"),
    "classroom": text("Classroom link: the teacher fixed {fixed}.", "课堂链接：教师已固定 {fixed}。"),
    "reset_link": text("Reset to the link's settings", "恢复为链接中的设置"),
    "answer_hidden": text("This link hides the answer (homework).", "此链接隐藏了解答（作业模式）。"),
    "unknown_params": text("This link has settings this page does not know; they were ignored and removed from "
                           "the link: {names}.",
                           "链接中有本页没有的参数，已忽略并从链接中删除：{names}。"),
    "stale": text("Not up to date: the figures and numbers below show the last valid settings.",
                  "尚未更新：下方的图表和数值仍是上一组有效设置的结果。"),
    "not_updated": text("Not updated: a setting is not accepted (see the message beside it).",
                        "未更新：有参数不被接受（见该参数旁的说明）。"),
    "not_accepted": text("This value is not accepted.", "这个值不被接受。"),
    "busy": text("The server is busy; try again in a few seconds.", "服务器正忙，请几秒后重试。"),
    "busy_retry": text("The server is busy; asking again in a moment …", "服务器正忙，稍后自动重试……"),
    "comma_integer": text("{label}: enter a whole number without a comma, such as 1000 or 1e3.",
                          "{label}：请输入不带逗号的整数，例如 1000 或 1e3。"),
    "budget_max": text("Usable here: up to about {limit} with the other settings as they are.",
                       "可用范围：在其他参数不变时最多约 {limit}。"),
    "budget_min": text("Usable here: at least about {limit} with the other settings as they are.",
                       "可用范围：在其他参数不变时至少约 {limit}。"),
    "save_figure": text("Download figure", "下载图"),
    "not_found": text("Page not found", "页面不存在"),
    "not_found_body": text("There is no such page. The exercises are listed on the home page.",
                           "没有这个页面。所有习题都列在首页。"),
}


def shell(lang: str) -> dict[str, str]:
    """Return the shell catalogue in one language."""
    return {key: pick(value, lang) for key, value in SHELL.items()}
