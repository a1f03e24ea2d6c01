/**
 * The check digits that tell a real card number or IBAN from a number that merely looks like one:
 * a random 16-digit number passes Luhn one time in ten, a random IBAN-shaped string passes mod 97
 * about one time in a hundred.
 */

/** Luhn (ISO/IEC 7812-1) over a string of ASCII digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Issuer prefixes of the card schemes people actually paste (Visa, Mastercard, American Express,
 * Discover, JCB, Diners Club, UnionPay, Maestro), with their lengths. Requiring a scheme's prefix
 * keeps millisecond timestamps (which start with 1) and most order numbers out.
 */
export function isCardNumber(digits: string): boolean {
  const length = digits.length;
  if (length < 13 || length > 19) return false;
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  const six = Number(digits.slice(0, 6));
  const schemeFits =
    (digits.startsWith('4') && (length === 13 || length === 16 || length === 19)) ||
    (((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) && length === 16) ||
    ((two === 34 || two === 37) && length === 15) ||
    ((four === 6011 || two === 65 || (three >= 644 && three <= 649) || (six >= 622126 && six <= 622925)) &&
      length >= 16) ||
    (four >= 3528 && four <= 3589 && length >= 16) ||
    (((three >= 300 && three <= 305) || two === 36 || two === 38 || two === 39) && length >= 14) ||
    (two === 62 && length >= 16) ||
    ((two === 50 || (two >= 56 && two <= 69)) && length >= 12);
  return schemeFits && passesLuhn(digits);
}

/** IBAN lengths by country (the SWIFT IBAN registry). */
const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
}; // prettier-ignore

/** An IBAN without its spaces: the country's length and ISO 13616 mod 97 = 1. */
export function isIban(compact: string): boolean {
  const iban = compact.toUpperCase();
  if (ibanLengths[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let index = 0; index < rearranged.length; index += 1) {
    const code = rearranged.charCodeAt(index);
    // Digits count as themselves, letters as 10..35 (two digits).
    if (code >= 48 && code <= 57) remainder = (remainder * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) remainder = (remainder * 100 + (code - 55)) % 97;
    else return false;
  }
  return remainder === 1;
}
