"""Built-in word lists the ``word``, ``name`` and ``password`` parameter types draw from.

Kept small and fixed: changing a list changes every build that uses it (the
manifest test notices), so append rather than reorder.
"""

from __future__ import annotations

WORDS: tuple[str, ...] = (
    "amber",
    "anchor",
    "atlas",
    "autumn",
    "beacon",
    "birch",
    "bridge",
    "canyon",
    "cedar",
    "comet",
    "copper",
    "coral",
    "delta",
    "falcon",
    "harbor",
    "meadow",
    "nimbus",
    "orbit",
    "pebble",
    "pilot",
    "quartz",
    "raven",
    "river",
    "saffron",
    "sierra",
    "summit",
    "timber",
    "tundra",
    "velvet",
    "willow",
)

FIRST_NAMES: tuple[str, ...] = (
    "Anna",
    "Boris",
    "Clara",
    "Daniel",
    "Elena",
    "Felix",
    "Galina",
    "Hugo",
    "Irina",
    "Jonas",
    "Katrin",
    "Lukas",
    "Marina",
    "Nikolai",
    "Olga",
    "Pavel",
    "Sofia",
    "Thomas",
    "Vera",
    "Yuri",
)

LAST_NAMES: tuple[str, ...] = (  # Slavic ones in the masculine form: a woman's takes -a (Ivanov, Ivanova)
    "Bauer",
    "Fischer",
    "Hoffmann",
    "Ivanov",
    "Kowalski",
    "Krause",
    "Lehmann",
    "Morozov",
    "Novak",
    "Orlov",
    "Petrov",
    "Richter",
    "Schmidt",
    "Sokolov",
    "Volkov",
    "Wagner",
    "Weber",
    "Zimmermann",
)
FEMALE_FIRST_NAMES = frozenset({"Anna", "Clara", "Elena", "Galina", "Irina", "Katrin", "Marina", "Olga", "Sofia",
                                "Vera"})

# Russian names for Russian-language evidence: surname (masculine), given names, patronymics by gender
RU_SURNAMES: tuple[str, ...] = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов",
                                "Новиков", "Морозов", "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов")
RU_FIRST: dict[str, tuple[str, ...]] = {
    "female": ("Галина", "Валентина", "Нина", "Людмила", "Тамара", "Зинаида", "Антонина", "Раиса", "Лидия"),
    "male": ("Николай", "Виктор", "Геннадий", "Анатолий", "Владимир", "Юрий", "Борис", "Василий"),
}
RU_PATRONYMICS: dict[str, tuple[str, ...]] = {
    "female": ("Петровна", "Ивановна", "Сергеевна", "Николаевна", "Михайловна", "Алексеевна", "Фёдоровна"),
    "male": ("Петрович", "Иванович", "Сергеевич", "Николаевич", "Михайлович", "Алексеевич", "Фёдорович"),
}

PASSWORDS: tuple[str, ...] = (
    "123456",
    "password1",
    "qwerty123",
    "letmein",
    "iloveyou",
    "sunshine1",
    "dragon2024",
    "monkey12",
    "football",
    "welcome1",
    "Passw0rd",
    "admin123",
    "summer2023",
    "1q2w3e4r",
)

LOREM: tuple[str, ...] = (
    "The quarterly figures were discussed at length.",
    "Please find the updated schedule attached.",
    "Delivery is expected by the end of the week.",
    "The meeting has been moved to Thursday morning.",
    "All payments must be confirmed in writing.",
    "The warehouse inventory was checked twice.",
    "New prices apply from the first of the month.",
    "Contact the office if anything is unclear.",
)
