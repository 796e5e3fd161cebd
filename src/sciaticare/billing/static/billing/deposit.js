// Paying a deposit (billing/views/deposit.py). Stripe.js's Card Element takes the card in the
// browser and sends it to Stripe: our form carries only the confirmed set-up's id. The bank's
// check (3-D Secure) is Stripe.js's confirmCardPayment; the page then asks our server for the
// outcome. Without Stripe.js loaded, nothing here runs and the page says so.
(function () {
  "use strict";
  if (typeof window.Stripe !== "function") return;

  // Our own words for what went wrong, not the processor's: only Stripe.js's checks of the
  // fields themselves ("Your card number is incomplete.") are shown as they come.
  function plainWords(error) {
    if (error.type === "validation_error" && error.message) return error.message;
    if (error.code === "card_declined") return "Your card was declined.";
    return "Your bank did not confirm this card.";
  }

  const cardForm = document.getElementById("card-form");
  if (cardForm) {
    const stripe = window.Stripe(cardForm.dataset.publishableKey);
    const card = stripe.elements().create("card");
    card.mount("#card-element");
    const status = document.getElementById("card-status");
    const button = document.getElementById("card-pay");
    cardForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      button.disabled = true;
      status.textContent = "Checking your card…";
      const result = await stripe.confirmCardSetup(cardForm.dataset.setupSecret, {
        payment_method: { card: card },
      });
      if (result.error) {
        status.textContent = plainWords(result.error) + " Nothing was taken, and the time is still held for you: try again or use another card.";
        button.disabled = false;
        return;
      }
      status.textContent = "Paying…";
      cardForm.elements.setup_intent.value = result.setupIntent.id;
      cardForm.submit();
    });
  }

  const bankCheck = document.getElementById("bank-check");
  if (bankCheck) {
    const stripe = window.Stripe(bankCheck.dataset.publishableKey);
    const status = document.getElementById("bank-status");
    bankCheck.addEventListener("submit", async function (event) {
      event.preventDefault();
      status.textContent = "Waiting for your bank…";
      await stripe.confirmCardPayment(bankCheck.dataset.paymentSecret);
      // Whatever the bank answered, our server reads the outcome from Stripe.
      bankCheck.submit();
    });
  }
})();
