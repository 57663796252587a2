"""The engine's own words, Chinese and English. Policy facts are not here: they come from
knowledge/ and rules/."""
from __future__ import annotations

# The unsure reply is the same in every channel and in `policybot ask` (knowledge.answers).
from knowledge.answers import (IF_AN_INSTITUTION, IF_AN_INSTITUTION_EN, NOT_SURE, NOT_SURE_EN, NOT_SURE_TAIL,
                               NOT_SURE_TAIL_EN, STATUS, STATUS_EN, STATUS_RULES, STATUS_RULES_EN)

AUTHORITY = "西青区人力资源和社会保障局（区人社局）"

TEXTS: dict[str, tuple[str, str]] = {
    "welcome": (
        "您好！我是西青区人力资源服务产业园政策助手，解答《关于加速推进西青区人力资源服务产业园建设的若干政策措施（试行）》"
        "的相关问题。\n· 直接输入您的问题，例如：房租补贴怎么算？\n· 输入“资格自测”或 /check，回答几个问题，估算可申请的支持\n"
        "· /list 查看全部条款，/help 查看帮助\nEnglish: just type your question in English, or press \"English\" below.",
        "Hello! I answer questions about Xiqing District's measures for its HR Service Industrial Park.\n"
        "· Ask a question, e.g. \"How is the rent subsidy calculated?\"\n· /check starts a short eligibility check\n"
        "· /list shows the articles, /help shows help",
    ),
    "help": (
        "使用方法：\n· 直接提问，例如“营收奖励怎么算”“我们第二年房租交了100万能补多少”\n"
        "· 资格自测（/check）：逐项回答问题，最后给出估算；自测中随时可以输入：上一步、跳过、查看修改、重新开始、取消、为什么问这个\n"
        "· /clause 5 查看第五条原文；/list 条款列表；/lang 设置回复语言（默认跟随您输入的语言）{staff}\n"
        "· 在 Telegram 中：/privacy 了解我们保存哪些信息，/forget 删除您的记录\n"
        f"本政策由{AUTHORITY}负责解释；本助手的回答仅供参考。",
        "How to use:\n· Ask a question, e.g. \"How much is the revenue award?\"\n"
        "· /check: the eligibility check, question by question, ending with an estimate; at any step type "
        "back, skip, review, restart, cancel or why\n· /clause 5 shows Article 5; /list lists the articles; /lang sets the reply "
        "language (by default, the language you write in){staff}\n"
        "The policy is interpreted by the Xiqing District Human Resources and Social Security Bureau; answers here are for reference.",
    ),
    "ask_prompt": ("请直接输入您的问题，例如：“房租补贴怎么算？”“营收1.3亿能拿多少奖励？”“政策什么时候到期？”",
                   "Type your question, e.g. \"How is the rent subsidy calculated?\" or \"When does the policy expire?\""),
    "need_role": ("估算需要先知道您的身份（入驻机构、运营单位或建园主体），请先回答这一项。",
                  "To estimate, I first need to know who you are (institution, park operator or park builder)."),
    "chapter_list": ("全部条款（点按钮查看）：", "All articles (press one to read it):"),
    "section_which": ("您问的是{article}，还是{part}？", "Do you mean Article {n} or Part {n} of the policy?"),
    "part_list": ("这一部分的条款（点按钮查看）：", "The articles of that part (press one to read it):"),
    "no_such_part": ("本政策除序言外分为五个部分（一至五），没有{part}。点“条款目录”可以查看各部分和条款。",
                     "Besides its preamble, the policy has five parts (I to V); there is no part {n}. "
                     "Press \"Articles\" to see the parts and their articles."),
    "check_intro": (
        "好的，我们开始资格自测。我会逐项提问，已知道的不会重复问；不清楚的可以“跳过”。",
        "Let's start the eligibility check. I will ask one thing at a time and never ask what I already know; "
        "skip anything you do not know.",
    ),
    "not_understood": ("抱歉，没能理解这个回答。{hint}", "Sorry, I did not understand that answer. {hint}"),
    "example": ("可以这样回答：{example}", "For example: {example}"),
    "yesno_hint": ("请回答“是”或“否”。", "Please answer yes or no."),
    "money_hint": ("金额请带上单位（元、万、亿）。", "Please give the amount with its unit (yuan, 万 or 亿)."),
    "unsure_skip": ("不确定也没关系：可以回答“跳过”，先答后面的问题，估算结果会注明还缺哪些信息；也可以问清楚后再回来修改。",
                    "That's fine if you are not sure: answer \"skip\" and go on, and the estimate will say what is still "
                    "missing; you can come back and change it once you know."),
    "skip_hint": ("如果手头没有这个数字，可以回答“跳过”。", "If you do not have the figure at hand, answer \"skip\"."),
    "choice_hint": ("请回复选项的序号或名称。", "Please reply with the number or the name of an option."),
    "noted": ("我记下了：{facts}，如有误请说“修改”。", "Noted: {facts}. If anything is wrong, say \"edit\"."),
    "changed": ("已修改：{changes}", "Changed: {changes}"),
    "same_as_before": ("这些已经记下了：{facts}。", "Already noted: {facts}."),
    "rate_not_total": ("这里要填全年的总额，不是按平方米或按月的单价，我不替您折算。请告诉我全年的总数，例如：{example}",
                       "This asks for the year's total, not a rate per square metre or per month, and I do not convert "
                       "a rate. Please give the year's total, for example: {example}"),
    "rate_not_used": ("您给的是按面积或按月的单价。房租补贴按这一年实际缴纳的租金总额计算（第五条），单价不能代替实缴金额，"
                      "所以我没有据此测算。需要测算的话，请告诉我这一年实际交了多少房租，例如“今年交了36万房租”。",
                      "You gave a rate per area or per month. The rent subsidy is worked out on the rent actually paid for "
                      "the year (Article 5), which a rate does not tell, so I have not estimated from it. For an estimate, "
                      "tell me the rent actually paid for the year, e.g. \"we paid 360,000 yuan rent this year\"."),
    "one_figure": ("这条消息里有不止一个数字，请只回复一个金额。", "That message has more than one figure; please reply with one amount."),
    "which_amount": ("您的消息里有几个金额（{amounts}），哪一个是“{name}”？请点选，或重新输入一个金额。",
                     "Your message has several amounts ({amounts}). Which one is \"{name}\"? Press one, or type one amount."),
    "total_changed": ("根据您的回答，需要回答的问题调整为共{n}项。", "Based on your answers, the check now has {n} questions."),
    "first_question": ("已经是第一个问题了。", "This is the first question."),
    "went_back": ("好的，回到上一步。", "OK, back one step."),
    "went_back_to": ("好的，回到上一步：{name}（您之前的回答：{value}）。", "OK, back one step: {name} (your answer was: {value})."),
    "went_back_restored": ("好的，回到上一步：{name} 恢复为 {value}。", "OK, back one step: {name} is {value} again."),
    "went_back_skipped": ("好的，回到上一步：{name}（之前跳过了）。", "OK, back one step: {name} (skipped before)."),
    "went_back_undone": ("好的，已撤销上一步记下的：{facts}。", "OK, undone: {facts}."),
    "skipped": ("已跳过。", "Skipped."),
    "why": ("为什么问这个：{why}", "Why we ask: {why}"),
    "review_title": ("您目前的回答（回复序号或点按钮修改）：", "Your answers so far (reply with a number, or press a button, to change one):"),
    "review_empty": ("还没有回答任何问题。", "No answers yet."),
    "review_skipped": ("（已跳过）", "(skipped)"),
    "confirm_cancel": ("确定要取消这次资格自测吗？已填写的回答将被清除。", "Cancel this eligibility check? The answers will be cleared."),
    "cancelled": ("已取消资格自测。您可以继续提问，或随时输入“资格自测”重新开始。",
                  "The eligibility check is cancelled. Ask anything, or type /check to start again."),
    "not_cancelled": ("好的，继续自测。", "OK, let's continue."),
    "no_interview": ("当前没有进行中的资格自测。输入“资格自测”或 /check 开始。", "No eligibility check is in progress. Type /check to start one."),
    "interview_over": ("这次资格自测已经结束。可以点“查看/修改”改一改回答，或“重新开始”。",
                       "This eligibility check is over. Press Review to change an answer, or Restart."),
    "restarted": ("好的，重新开始。", "OK, starting again."),
    "idle_offer": ("您上次的资格自测还没有完成（已回答 {n} 项）。要继续，还是重新开始？",
                   "Your last eligibility check is unfinished ({n} answered). Continue, or start again?"),
    "pending_offer": ("您有一个未完成的资格自测（已回答 {n} 项）。要继续，还是重新开始？",
                      "You have an unfinished eligibility check ({n} answered). Continue, or start again?"),
    "stopped": (
        "很抱歉，按第十六条，本政策适用于在西青区人力资源服务产业园内登记注册并实际入驻、有健全的财务制度、具有独立法人资格、"
        "实行独立核算的人力资源服务机构。根据您的回答，贵机构目前：\n{reasons}\n因此暂不符合本政策的适用条件。\n"
        f"如情况有变化或对条件有疑问，可以咨询本政策的解释单位{AUTHORITY}。如果刚才答错了，可以点“上一步”修改。",
        "Sorry: under Article 16 the policy applies to HR service institutions registered and located in the park, "
        "with a sound financial system, an independent legal person and independent accounting. From your answers, "
        "your institution is:\n{reasons}\nso the policy does not apply for now. If this changes, or you are unsure, ask "
        "the Xiqing District Human Resources and Social Security Bureau, which interprets the policy. If an answer was "
        "wrong, press Back to change it.",
    ),
    "estimate_intro": ("自测完成，以下是按您的回答得出的估算：", "Done. Here is the estimate from your answers:"),
    "migrated": ("抱歉，助手已经更新，之前未完成的对话无法继续，请重新开始。",
                 "Sorry, the assistant was updated and the earlier conversation cannot be continued. Please start again."),
    "not_confident": (NOT_SURE, NOT_SURE_EN),
    "no_match": (
        f"抱歉，这个问题在本政策中没有找到明确的答案。可以换个说法再问，或咨询本政策的解释单位{AUTHORITY}。",
        "Sorry, the policy does not answer this clearly. Try other words, or ask the Xiqing District Human "
        "Resources and Social Security Bureau, which interprets the policy.",
    ),
    "not_confident_tail": (NOT_SURE_TAIL, NOT_SURE_TAIL_EN),
    # "申请进度怎么查", "Has the district paid ... yet?": where to ask, then the rules it was nearest to
    "status": (STATUS, STATUS_EN),
    "status_rules": (STATUS_RULES, STATUS_RULES_EN),
    # after the note that the awards are for HR service institutions (a business of another trade)
    "if_an_institution": (IF_AN_INSTITUTION, IF_AN_INSTITUTION_EN),
    "not_confident_tail_staff": (f"如果都不是，可以换个说法，或点“联系人工”；本政策由{AUTHORITY}负责解释。",
                                 "If none fits, try other words or press \"Contact staff\"; the policy is interpreted by the district HR bureau."),
    # the same words as the Telegram channel's own line for this case (bot/telegram/helpdesk.py)
    "no_helpdesk": (
        f"目前没有开通在线人工转接。本政策由{AUTHORITY}负责解释，具体问题请直接向区人社局咨询；政策文件中没有写明联系电话和地址。",
        "A person is not available through this bot. The policy is interpreted by the Xiqing District Human Resources "
        "and Social Security Bureau; please ask the bureau directly. The policy document gives no phone number or address.",
    ),
    "help_staff": ("；联系人工：输入“人工”", "; to reach staff, type \"human\""),
    "handoff": (
        f"需要人工解答的，请咨询本政策的解释单位{AUTHORITY}。政策文件中没有公布咨询电话和地址，请通过区人社局的公开渠道联系。",
        "For a person's answer, please ask the Xiqing District Human Resources and Social Security Bureau, which "
        "interprets the policy. The policy gives no phone number or address; please use the bureau's public channels.",
    ),
    "greeting": ("您好！请直接输入关于本政策的问题，例如“房租补贴怎么算？”；也可以点下面的按钮做资格自测或查看条款。",
                 "Hello! Ask me about the policy, e.g. \"How is the rent subsidy calculated?\", or use the buttons "
                 "below for the eligibility check or the articles."),
    "you_are_welcome": ("不客气！还有关于这项政策的问题，随时可以问我。",
                        "You're welcome! Ask me anything else about the policy at any time."),
    "who_am_i": (
        "我是西青区人力资源服务产业园政策助手，是自动回复的程序，不是人工。我按《关于加速推进西青区人力资源服务产业园建设的"
        f"若干政策措施（试行）》的原文回答，每个回答都注明出处条款；政策由{AUTHORITY}负责解释，我的回答仅供参考{{staff}}。",
        "I am the Xiqing HR Service Industrial Park policy assistant: an automatic program, not a person. I answer from "
        "the text of the district's measures for the park and cite the article for each answer; the policy is interpreted "
        "by the Xiqing District Human Resources and Social Security Bureau, and my answers are for reference{staff}.",
    ),
    "thanks_up": ("谢谢您的反馈！", "Thank you for the feedback!"),
    "thanks_down": ("谢谢反馈，我们会改进这条回答。", "Thanks, we will improve this answer."),
    "thanks_down_staff": ("谢谢反馈，我们会改进这条回答。需要的话可以点“联系人工”。",
                          "Thanks, we will improve this answer. Press \"Contact staff\" if you need more help."),
    "stale": ("这个按钮已经失效了，请看最新的消息。", "That button is no longer valid; please use the latest message."),
    "unknown_command": ("没有这个命令。{help}", "Unknown command. {help}"),
    "clause_usage": ("请在 /clause 后面写条款编号（0—19），例如 /clause 5。", "Write the article number (0-19) after /clause, e.g. /clause 5."),
    "lang_set": ("已切换为中文。", "Switched to English."),
    "lang_auto": ("好的，之后按您输入的语言回复。", "OK, I will reply in the language you write in."),
    "lang_show": ("当前回复语言：{current}。点下面的按钮可固定为中文或英文，也可以发送 /lang zh 或 /lang en；"
                  "发送 /lang auto 恢复为跟随您输入的语言。",
                  "Reply language: {current}. Press a button below to keep to Chinese or English, or send /lang zh "
                  "or /lang en; /lang auto follows the language you write in again."),
    "lang_fixed": ("{name}（您选定的）", "{name} (your choice)"),
    "lang_follow": ("跟随您输入的语言（现在是{name}）", "the language you write in (now {name})"),
    "empty": ("请输入您的问题，或输入“资格自测”开始自测。", "Type a question, or /check to start the eligibility check."),
    "computed": ("按您给出的数字估算（仅供参考）：", "With your figures (estimate, for reference only):"),
    # Article 18: where an institution moved from decides how its revenue counts; a place the words
    # do not place ("从老厂区搬来") is asked, never guessed.
    "origin_unplaced": ("没能从这句话看出迁出地在西青区内还是区外。第十八条按此区分：西青区内已有的机构迁入产业园的，"
                        "营收和贡献只按比上一年新增的部分计算；从区外（包括天津市其他区）新引进或在产业园新注册的，按当年全额计算。"
                        "请在下面选择。",
                        "I could not tell from that whether the place you moved from is inside Xiqing District or outside "
                        "it. Article 18 depends on it: an institution already in Xiqing that moves into the park counts only "
                        "its growth over the previous year; one brought in from outside the district (including Tianjin's "
                        "other districts) or newly registered in the park counts the whole year. Please choose below."),
    # (the revenue award steps at each full 1亿: "接近2亿" taken as 2亿 would quote a step too many)
    "bound_not_figure": ("“接近”“不到”“增加了”这类说法给的是范围或变化，不是金额本身，按它计算可能算错。请输入大致的实际数字，例如：{example}",
                         "\"Nearly\", \"less than\" or \"up by\" give a range or a change, not the amount itself, and "
                         "working from it could be wrong. Please type the actual figure, roughly, for example: {example}"),
    "other_party_figure": ("这个数字像是客户、母公司、集团或总部的。这里需要的是在园区注册的贵机构自己的{field}（第十六条：申请主体是入驻机构），请再输入一次。",
                           "That figure seems to be a client's, the parent company's, the group's or head office's. "
                           "What is needed here is the {field} of your own institution registered in the park (article 16: "
                           "the applicant is the institution in the park). Please type it again."),
    "origin_unplaced_noted": ("来源没有记下：没能看出迁出地在西青区内还是区外（第十八条按此区分营收和贡献的计算口径），自测时会再问。",
                              "Origin not noted: I could not tell whether you moved from inside Xiqing District or from "
                              "outside it (article 18 counts revenue and contribution differently); the check will ask."),
    "computed_if_relocated": ("以上按当年全额计算，即区外新引进或新注册的算法；如是西青区内已有机构迁入产业园，按比上一年新增的部分计算"
                              "（第十八条），请告诉我上一年的数字。",
                              "This counts the whole year, as for an institution new to the district; if you were already "
                              "in Xiqing and moved into the park, only the growth over the previous year counts (article 18): "
                              "tell me last year's figure."),
    "rent_years": ("房租补贴还要看是入园第几年：", "The rent subsidy depends on the year in the park:"),
    "offer_check": ("要根据这些信息做一次完整的资格自测吗？", "Shall I run the full eligibility check with these facts?"),
    "list_title": ("政策条款（回复 /clause 编号 查看原文）：", "The articles (/clause N shows the text):"),
    "knowledge_down": ("抱歉，知识库暂时无法使用。", "Sorry, the knowledge base is unavailable right now."),
    "prefilled": ("根据您之前提到的信息，已记下：{facts}", "From what you told me earlier: {facts}"),
}

BUTTONS: dict[str, tuple[str, str]] = {
    "back": ("上一步", "Back"), "skip": ("跳过", "Skip"), "why": ("为什么问这个？", "Why ask?"),
    "review": ("查看/修改", "Review"), "restart": ("重新开始", "Restart"), "cancel": ("取消", "Cancel"),
    "finish": ("直接看结果", "Result now"), "resume": ("继续", "Continue"),
    "cancel_yes": ("确认取消", "Yes, cancel"), "cancel_no": ("继续自测", "No, continue"),
    "check": ("资格自测", "Eligibility check"), "list": ("条款列表", "Articles"), "help": ("帮助", "Help"),
    "ask_policy": ("问政策", "Ask a question"), "check_estimate": ("资格自测与补贴测算", "Eligibility & estimate"),
    "catalogue": ("条款目录", "Articles"), "lang_auto": ("跟随我的输入", "Follow my language"),
    "text": ("查看原文", "Policy text"), "human": ("联系人工", "Contact staff"),
    "up": ("👍 有帮助", "👍 Helpful"), "down": ("👎 没帮助", "👎 Not helpful"),
    "yes": ("是", "Yes"), "no": ("否", "No"), "none": ("没有", "None"), "done_review": ("返回继续", "Back to the check"),
    "lang_en": ("English", "English"), "lang_zh": ("中文", "Chinese"),
}


def t(key: str, lang: str, **kw) -> str:
    zh, en = TEXTS[key]
    text = en if lang == "en" else zh
    return text.format(**kw) if kw else text


def b(key: str, lang: str) -> str:
    zh, en = BUTTONS[key]
    return en if lang == "en" else zh
