"""Phone numbers: E.164 where possible, otherwise kept exactly as Twilio gave them."""
import phonenumbers


def normalise(raw: str) -> str:
    """Return the number in E.164 if it is a possible number, else the stripped input."""
    value = (raw or "").strip()
    try:
        parsed = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return value


def masked(phone: str) -> str:
    """Show only the last 3 digits, for staff pages and logs."""
    return "*" * max(0, min(len(phone) - 3, 8)) + phone[-3:] if len(phone) > 3 else "***"
