"""The catalogue of grading reasons, in English and Russian.

Reasons teach without giving the answer away: they say what kind of mistake it
looks like (time zone, algorithm, extra items), never the expected value.
Every entry has the same fields in every language (a test checks this).
Russian avoids word-order tricks of English and uses the plural spec
``{n:plural:one|few|many}`` where a count meets a noun.
"""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    # --- generic ---------------------------------------------------------
    "joined": {"en": "{parts}", "ru": "{parts}"},
    "answer.correct": {"en": "Correct.", "ru": "Верно."},
    "answer.missing": {"en": "No answer given.", "ru": "Ответ не дан."},
    "answer.wrong_kind": {
        "en": "Wrong kind of answer: expected {want}, got {got}.",
        "ru": "Ответ не того типа: ожидается {want}, получено: {got}.",
    },
    "answer.yaml_bool": {
        "en": "The answer was read as true/false; if you meant a word, put it in quotes.",
        "ru": "Ответ прочитан как логическое значение (true/false); если вы имели в виду "
        "слово, возьмите его в кавычки.",
    },
    "evidence_mismatch": {
        "en": "The answer sheet gives a different SHA-256 for {artefact} than the evidence "
        "graded now: the answers may come from another copy or variant of the case.",
        "ru": "В листе ответов указан другой SHA-256 для {artefact}, чем у проверяемых "
        "улик: возможно, ответы получены на другой копии или варианте дела.",
    },
    # --- kinds of values, used inside other messages ---------------------
    "kind.text": {"en": "text", "ru": "текст"},
    "kind.integer": {"en": "a whole number", "ru": "целое число"},
    "kind.number": {"en": "a number", "ru": "число"},
    "kind.list": {"en": "a list", "ru": "список"},
    "kind.mapping": {"en": "a key: value mapping", "ru": "словарь (ключ: значение)"},
    "kind.bool": {"en": "true/false", "ru": "логическое значение (true/false)"},
    "kind.time": {"en": "a date and time", "ru": "дата и время"},
    "kind.ip": {"en": "an IP address", "ru": "IP-адрес"},
    "kind.hash": {"en": "a hash", "ru": "хеш"},
    "kind.network": {"en": "a network in CIDR form", "ru": "сеть в виде CIDR"},
    "kind.mac": {"en": "a MAC address", "ru": "MAC-адрес"},
    "kind.path": {"en": "a file path", "ru": "путь к файлу"},
    "kind.offset": {"en": "an offset", "ru": "смещение"},
    "kind.location": {"en": "a location in the evidence", "ru": "место в уликах"},
    "kind.range": {"en": "a time span (from, to)", "ru": "интервал времени (с, по)"},
    "kind.other": {"en": "a value of type {type}", "ru": "значение типа {type}"},
    # --- text, one_of, regex -----------------------------------------------
    "text.wrong": {"en": "Not the expected answer.", "ru": "Ответ не совпадает с ожидаемым."},
    "text.case_differs": {
        "en": "The letters are right but the case is not: case matters in this answer.",
        "ru": "Буквы верные, но регистр не тот: в этом ответе регистр важен.",
    },
    "one_of.wrong": {
        "en": "Not one of the accepted answers.",
        "ru": "Этого ответа нет среди допустимых.",
    },
    "regex.wrong": {
        "en": "The answer does not have the expected form or value.",
        "ru": "Ответ не соответствует ожидаемому виду или значению.",
    },
    # --- integer, number -----------------------------------------------------
    "integer.invalid": {
        "en": "'{given}' is not a whole number: write digits only "
        "(groups such as 1 000 000 and hex such as 0x1F are fine).",
        "ru": "«{given}» — не целое число: пишите только цифры "
        "(можно группами, как 1 000 000, или в шестнадцатеричном виде, как 0x1F).",
    },
    "integer.wrong": {"en": "Not the expected number.", "ru": "Число не совпадает с ожидаемым."},
    "number.invalid": {
        "en": "'{given}' is not a number: write digits, with a point or a comma "
        "before the decimals.",
        "ru": "«{given}» — не число: пишите цифры, дробную часть отделяйте точкой или запятой.",
    },
    "number.ambiguous": {
        "en": "'{given}' is ambiguous: the comma may separate thousands or decimals; "
        "write it without the comma, or with a point for decimals.",
        "ru": "«{given}» читается двояко: запятая может отделять и тысячи, и дробную часть; "
        "напишите число без запятой или с точкой перед дробной частью.",
    },
    "number.wrong": {
        "en": "Not close enough to the expected value.",
        "ru": "Значение недостаточно близко к ожидаемому.",
    },
    # --- set -------------------------------------------------------------------
    "set.right": {
        "en": "{right} of {total} {total:plural:item|items} right.",
        "ru": "Верно {right} из {total}.",
    },
    "set.extra": {
        "en": "{count} {count:plural:item|items} that should not be there.",
        "ru": "Лишних элементов: {count}.",
    },
    "set.unreadable": {
        "en": "{count} {count:plural:item|items} could not be read as {kind}.",
        "ru": "Не читаются как {kind}: {count} {count:plural:элемент|элемента|элементов}.",
    },
    "set.duplicates": {
        "en": "{count} repeated {count:plural:item was|items were} counted once.",
        "ru": "Повторы засчитаны один раз: {count} {count:plural:элемент|элемента|элементов}.",
    },
    # --- hash ------------------------------------------------------------------
    "hash.not_hex": {
        "en": "Not a hexadecimal hash: only digits 0-9 and letters a-f are allowed "
        "(paste the hash alone, without the file name).",
        "ru": "Это не шестнадцатеричный хеш: допустимы только цифры 0-9 и буквы a-f "
        "(вставьте один хеш, без имени файла).",
    },
    "hash.bad_length": {
        "en": "The hash has {digits} hex {digits:plural:digit|digits}, a length no common "
        "algorithm has (MD5 has 32, SHA-1 40, SHA-256 64): was it cut short?",
        "ru": "В хеше {digits} {digits:plural:шестнадцатеричная цифра|шестнадцатеричные цифры"
        "|шестнадцатеричных цифр}, а такой длины нет ни у одного распространённого алгоритма "
        "(у MD5 — 32, у SHA-1 — 40, у SHA-256 — 64): не обрезан ли он?",
    },
    "hash.wrong_algorithm": {
        "en": "The hash has {digits} hex digits: that is {algorithm}, "
        "the question asks for {wanted}.",
        "ru": "В хеше {digits} {digits:plural:шестнадцатеричная цифра|шестнадцатеричные цифры"
        "|шестнадцатеричных цифр} — это {algorithm}, а в вопросе нужен {wanted}.",
    },
    "hash.wrong": {
        "en": "The hash does not match: check that you hashed the right file, stream or image.",
        "ru": "Хеш не совпадает: проверьте, тот ли файл, поток или образ вы хешировали.",
    },
    # --- ip ----------------------------------------------------------------------
    "ip.invalid": {
        "en": "'{given}' is not a valid IPv4 or IPv6 address.",
        "ru": "«{given}» не является корректным адресом IPv4 или IPv6.",
    },
    "ip.leading_zeros": {
        "en": "'{given}' has leading zeros, which some tools read as octal: "
        "write each part without them (7, not 007).",
        "ru": "В «{given}» есть ведущие нули, а некоторые программы читают такие числа "
        "как восьмеричные: пишите части адреса без них (7, а не 007).",
    },
    "ip.network": {
        "en": "'{given}' is a network, not a single address: drop the part from '/'.",
        "ru": "«{given}» — это сеть, а не отдельный адрес: уберите часть, начиная с «/».",
    },
    "ip.wrong_version": {
        "en": "That is an IPv{got} address; the question asks for an IPv{want} address.",
        "ru": "Это адрес IPv{got}, а в вопросе нужен адрес IPv{want}.",
    },
    "ip.wrong": {"en": "Not the expected address.", "ru": "Адрес не совпадает с ожидаемым."},
    # --- timestamp ---------------------------------------------------------------
    "time.invalid": {
        "en": "Could not read '{given}' as a date and time: use ISO 8601, "
        "e.g. YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DD hh:mm:ss+03:00.",
        "ru": "Не удалось прочитать «{given}» как дату и время: используйте ISO 8601, "
        "например ГГГГ-ММ-ДДTчч:мм:ссZ или ГГГГ-ММ-ДД чч:мм:сс+03:00.",
    },
    "time.ambiguous": {
        "en": "'{given}' is ambiguous: is the first number the day or the month? "
        "Use ISO 8601 (YYYY-MM-DD hh:mm:ss).",
        "ru": "«{given}» читается двояко: первое число — день или месяц? "
        "Используйте ISO 8601 (ГГГГ-ММ-ДД чч:мм:сс).",
    },
    "time.read_zone": {
        "en": "Read as {when} (time zone taken from the answer).",
        "ru": "Прочитано как {when} (часовой пояс взят из ответа).",
    },
    "time.read_assumed": {
        "en": "Read as {when} (the answer has no time zone, so it was taken as {zone}).",
        "ru": "Прочитано как {when} (в ответе нет часового пояса, "
        "поэтому использован пояс {zone}).",
    },
    "time.read_epoch": {
        "en": "Read as {when} (a Unix time in seconds).",
        "ru": "Прочитано как {when} (время Unix в секундах).",
    },
    "time.off_hours": {
        "en": "Off by exactly {hours} h: check the time zone.",
        "ru": "Расхождение ровно {hours} ч: проверьте часовой пояс.",
    },
    "time.day_month_swapped": {
        "en": "The day and the month look swapped.",
        "ru": "Похоже, день и месяц перепутаны местами.",
    },
    "time.wrong": {"en": "Not the expected time.", "ru": "Время не совпадает с ожидаемым."},
    # --- cidr, mac ---------------------------------------------------------------
    "cidr.invalid": {
        "en": "'{given}' is not a network: write an address, '/', and a prefix length (e.g. /24).",
        "ru": "«{given}» — не сеть: напишите адрес, «/» и длину префикса (например, /24).",
    },
    "cidr.no_prefix": {
        "en": "'{given}' is a single address: a network needs '/' and a prefix length.",
        "ru": "«{given}» — отдельный адрес: для сети нужны «/» и длина префикса.",
    },
    "cidr.host_bits": {
        "en": "Read as the network {network} (host bits cleared).",
        "ru": "Прочитано как сеть {network} (биты узла обнулены).",
    },
    "cidr.wrong_prefix": {
        "en": "The network overlaps the expected one but its size differs: check the prefix length.",
        "ru": "Сеть пересекается с ожидаемой, но её размер другой: проверьте длину префикса.",
    },
    "cidr.wrong": {"en": "Not the expected network.", "ru": "Сеть не совпадает с ожидаемой."},
    "mac.invalid": {
        "en": "'{given}' is not a MAC address: it needs 12 hex digits, e.g. aa:bb:cc:dd:ee:ff.",
        "ru": "«{given}» — не MAC-адрес: нужно 12 шестнадцатеричных цифр, например aa:bb:cc:dd:ee:ff.",
    },
    "mac.wrong": {"en": "Not the expected MAC address.", "ru": "MAC-адрес не совпадает с ожидаемым."},
    # --- path --------------------------------------------------------------------
    "path.invalid": {"en": "Not a usable file path.", "ru": "Это не путь к файлу."},
    "path.dotdot": {
        "en": "Write the path from the root without '..' parts.",
        "ru": "Напишите путь от корня, без частей «..».",
    },
    "path.read": {
        "en": "Read as {path} (the volume prefix was dropped).",
        "ru": "Прочитано как {path} (префикс тома отброшен).",
    },
    "path.case_differs": {
        "en": "The path is right except for letter case, which matters on this file system.",
        "ru": "Путь верен, кроме регистра букв, а в этой файловой системе регистр важен.",
    },
    "path.wrong_folder": {
        "en": "The file name is right but the folder is not.",
        "ru": "Имя файла верное, а папка — нет.",
    },
    "path.wrong_name": {
        "en": "The folder is right but the file name is not.",
        "ru": "Папка верная, а имя файла — нет.",
    },
    "path.wrong": {"en": "Not the expected path.", "ru": "Путь не совпадает с ожидаемым."},
    # --- offset, location ----------------------------------------------------------
    "unit.bytes": {"en": "bytes", "ru": "байт"},
    "unit.sectors": {"en": "sectors", "ru": "секторов"},
    "offset.invalid": {
        "en": "Could not read '{given}' as an offset: write a number, optionally with "
        "'bytes' or 'sectors' (e.g. 0x100000, 2048 sectors).",
        "ru": "Не удалось прочитать «{given}» как смещение: напишите число, при желании "
        "со словом «байт» или «секторов» (например, 0x100000, 2048 секторов).",
    },
    "offset.read": {
        "en": "Read as {number} {unit} = byte {offset}.",
        "ru": "Прочитано как {number} {unit} = байт {offset}.",
    },
    "offset.unit_slip": {
        "en": "That would be right in the other unit: check bytes against sectors.",
        "ru": "В другой единице это было бы верно: проверьте, байты это или секторы.",
    },
    "offset.wrong": {"en": "Not the expected offset.", "ru": "Смещение не совпадает с ожидаемым."},
    "location.inode": {"en": "inode", "ru": "инод"},
    "location.mft": {"en": "MFT entry", "ru": "запись MFT"},
    "location.offset": {"en": "byte offset", "ru": "смещение в байтах"},
    "location.frame": {"en": "frame", "ru": "кадр"},
    "location.invalid": {
        "en": "Could not read '{given}' as a location: write e.g. 'inode 12', 'MFT entry 35', "
        "'offset 0x1000' or 'frame 57'.",
        "ru": "Не удалось прочитать «{given}» как место в уликах: напишите, например, «inode 12», "
        "«MFT entry 35», «offset 0x1000» или «frame 57».",
    },
    "location.read": {"en": "Read as {kind} {number}.", "ru": "Прочитано как: {kind} {number}."},
    "location.wrong_kind": {
        "en": "That is another kind of location: the question asks for a {want}.",
        "ru": "Это место другого вида: в вопросе нужен {want}.",
    },
    "location.wrong": {
        "en": "Not the expected location in your evidence.",
        "ru": "Место не совпадает с ожидаемым в ваших уликах.",
    },
    # --- ordered, datetime_range ------------------------------------------------------
    "ordered.pairs": {
        "en": "{right} of {total} pairs of events in the right order.",
        "ru": "В верном порядке {right} из {total} пар событий.",
    },
    "ordered.missing": {
        "en": "{count} {count:plural:event is|events are} missing.",
        "ru": "Пропущено событий: {count}.",
    },
    "range.invalid": {
        "en": "Write the span as two times, e.g. [2024-03-01 10:00, 2024-03-01 11:30] "
        "or 2024-03-01T10:00Z/2024-03-01T11:30Z.",
        "ru": "Запишите интервал двумя моментами времени, например [2024-03-01 10:00, 2024-03-01 11:30] "
        "или 2024-03-01T10:00Z/2024-03-01T11:30Z.",
    },
    "range.reversed": {
        "en": "The span ends before it starts: put the earlier time first.",
        "ru": "Интервал заканчивается раньше, чем начинается: сначала укажите более раннее время.",
    },
    "range.read": {"en": "Read as {start} to {end}.", "ru": "Прочитано как интервал с {start} по {end}."},
    "range.overlap": {
        "en": "The span overlaps the expected one by {percent}%: check where it starts and ends.",
        "ru": "Интервал совпадает с ожидаемым на {percent}%: проверьте его начало и конец.",
    },
    "range.no_overlap": {
        "en": "The span does not overlap the expected one.",
        "ru": "Интервал не пересекается с ожидаемым.",
    },
    # --- hints --------------------------------------------------------------------------
    "hint.cost": {
        "en": "Hints taken: -{cost:g} {cost:plural:point|points}.",
        "ru": "Использованы подсказки: -{cost:g} балла.",
    },
    "hint.tampered": {
        "en": "The hint record in this answers file was edited by hand (its check codes do not match): "
        "your instructor will see this.",
        "ru": "Запись о подсказках в этом файле ответов изменена вручную (контрольные коды не совпадают): "
        "преподаватель это увидит.",
    },
    # --- sealed self-check ----------------------------------------------------------------
    "sealed.wrong": {
        "en": "Not the expected answer (self-check with the sealed key: your instructor's "
        "grading may explain more).",
        "ru": "Ответ не совпадает с ожидаемым (самопроверка по запечатанному ключу: "
        "при проверке преподавателем пояснение будет подробнее).",
    },
    "sealed.pending": {
        "en": "Will be graded by your instructor (this answer cannot be checked offline).",
        "ru": "Будет проверено преподавателем (этот ответ нельзя проверить офлайн).",
    },
    # --- feedback and report ---------------------------------------------------------------
    "fb.title": {"en": "Feedback: {lab} — {title}", "ru": "Результаты: {lab} — {title}"},
    "fb.trainee": {"en": "Trainee", "ru": "Слушатель"},
    "fb.score": {
        "en": "Score: {score:g} of {max:g} ({percent}%).",
        "ru": "Итог: {score:g} из {max:g} ({percent}%).",
    },
    "fb.question": {"en": "Question", "ru": "Вопрос"},
    "fb.result": {"en": "Result", "ru": "Результат"},
    "fb.points": {"en": "Points", "ru": "Баллы"},
    "fb.why": {"en": "Why", "ru": "Пояснение"},
    "fb.correct": {"en": "correct", "ru": "верно"},
    "fb.partial": {"en": "partly right", "ru": "частично"},
    "fb.wrong": {"en": "wrong", "ru": "неверно"},
    "fb.missing": {"en": "no answer", "ru": "нет ответа"},
    "fb.pending": {"en": "graded by the instructor", "ru": "оценит преподаватель"},
    "rep.title": {"en": "Class report: {lab} — {title}", "ru": "Отчёт по группе: {lab} — {title}"},
    "rep.overview": {
        "en": "{graded} graded of {submissions} submissions; {errors} could not be graded. "
        "Mean {mean}%, median {median}%.",
        "ru": "Проверено {graded} из {submissions} работ; не удалось проверить: {errors}. "
        "Среднее {mean}%, медиана {median}%.",
    },
    "rep.distribution": {"en": "Score distribution", "ru": "Распределение баллов"},
    "rep.questions": {"en": "Questions", "ru": "Вопросы"},
    "rep.success": {"en": "Fully right", "ru": "Полностью верно"},
    "rep.discrimination": {
        "en": "Discrimination (upper − lower 27%)",
        "ru": "Дискриминативность (верхние − нижние 27%)",
    },
    "rep.hints": {"en": "Hints taken", "ru": "Взято подсказок"},
    "rep.common_wrong": {"en": "Most common wrong answers", "ru": "Самые частые неверные ответы"},
    "rep.flags": {"en": "Flagged trainees", "ru": "Отмеченные слушатели"},
    "rep.flag_identical": {
        "en": "same rare wrong answers as {others}",
        "ru": "те же редкие неверные ответы, что у {others}",
    },
    "rep.flag_tampered": {"en": "hint record edited by hand", "ru": "запись о подсказках изменена вручную"},
    "rep.no_flags": {"en": "No trainee flagged.", "ru": "Отмеченных слушателей нет."},
    "rep.errors": {"en": "Submissions that could not be graded", "ru": "Работы, которые не удалось проверить"},
    "rep.file": {"en": "File", "ru": "Файл"},
    "rep.error": {"en": "Error", "ru": "Ошибка"},
    "rep.trainees": {"en": "trainees", "ru": "слушатели"},
    "rep.low_discrimination": {
        "en": "low: check the question's wording or key",
        "ru": "низкая: проверьте формулировку вопроса или ключ",
    },
    "rep.course": {"en": "Course gradebook", "ru": "Сводная ведомость курса"},
}
